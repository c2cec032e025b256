"""The Accounts page (AppTest, real database): analysts change their own password, admins
manage accounts through the same services as `tracker users`."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_dashboard_login import PASSWORD, add_account, errors, log_in, open_app
from tracker.accounts import LoginRefused, describe, get_account, login
from tracker.db import make_engine, reading

pytestmark = pytest.mark.usefixtures("dashboard_env")
PAGE = "views/accounts.py"


def accounts_page(url: str, monkeypatch: pytest.MonkeyPatch, name: str) -> AppTest:
    at = log_in(open_app(url, monkeypatch), name, PASSWORD)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Accounts"]
    return at


def signs_in(url: str, name: str, password: str) -> bool:
    engine = make_engine(url)
    try:
        login(engine, name, password)
    except LoginRefused:
        return False
    finally:
        engine.dispose()
    return True


def account(url: str, name: str) -> dict[str, object]:
    engine = make_engine(url)
    with reading(engine) as s:
        found = describe(get_account(s, name))
    engine.dispose()
    return found


def test_an_analyst_changes_their_own_password_and_sees_nobody_else(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(db_url, "ana")
    add_account(db_url, "boss", "admin")
    at = accounts_page(db_url, monkeypatch, "ana")
    assert not at.dataframe  # the list of accounts is for admins
    assert "Admins add accounts" in at.caption[0].value

    def change(current: str, new: str, repeat: str) -> None:
        at.text_input(key="acc_current").input(current)
        at.text_input(key="acc_new").input(new)
        at.text_input(key="acc_repeat").input(repeat)
        at.button(key="acc_change").click().run()
        assert not at.exception, [e.value for e in at.exception]

    change("wrong", "a much better password", "a much better password")
    assert errors(at) == "the current password is wrong; nothing was changed"
    change(PASSWORD, "a much better password", "a different one")
    assert errors(at) == "The two new passwords differ; nothing was changed."
    assert signs_in(db_url, "ana", PASSWORD)
    change(PASSWORD, "a much better password", "a much better password")
    assert "Password changed" in at.success[0].value
    assert signs_in(db_url, "ana", "a much better password")
    assert not signs_in(db_url, "ana", PASSWORD)


def test_an_admin_adds_an_account_and_hands_out_its_password_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(db_url, "boss", "admin")
    at = accounts_page(db_url, monkeypatch, "boss")
    at.text_input(key="acc_add_name").input("Bo.Li")
    at.selectbox(key="acc_add_role").select("reviewer")
    at.button(key="acc_add_submit").click().run()
    assert not at.exception
    assert not at.error, errors(at)
    password = at.code[0].value
    assert "Give Bo\\.Li this password now" in at.warning[0].value
    assert signs_in(db_url, "bo.li", password)
    assert account(db_url, "Bo.Li")["role"] == "reviewer"
    at.run()  # shown once: gone on the next run
    assert not at.code
    at.text_input(key="acc_add_name").input("BO.LI")
    at.button(key="acc_add_submit").click().run()
    assert "already exists" in errors(at)
    at.text_input(key="acc_add_name").input("Bo <b>Li</b>")
    at.button(key="acc_add_submit").click().run()
    assert "must be 1 to 100 letters, digits" in errors(at)
    assert [a["username"] for a in at.dataframe[0].value.to_dict("records")] == ["Bo.Li", "boss"]


def test_an_admin_changes_roles_disables_and_resets_but_keeps_an_admin(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(db_url, "boss", "admin")
    add_account(db_url, "ana")
    at = accounts_page(db_url, monkeypatch, "boss")
    at.selectbox(key="acc_pick").select("ana").run()
    at.selectbox(key="acc_role").select("reviewer").run()
    at.button(key="acc_apply_role").click().run()
    assert account(db_url, "ana")["role"] == "reviewer"
    at.selectbox(key="acc_pick").select("ana").run()
    at.button(key="acc_toggle").click().run()
    assert account(db_url, "ana")["disabled"] is True
    assert not signs_in(db_url, "ana", PASSWORD)
    at.selectbox(key="acc_pick").select("ana").run()
    at.button(key="acc_toggle").click().run()  # now "Enable"
    at.selectbox(key="acc_pick").select("ana").run()
    at.button(key="acc_reset").click().run()
    assert signs_in(db_url, "ana", at.code[0].value)
    at.selectbox(key="acc_pick").select("boss").run()
    at.button(key="acc_toggle").click().run()
    assert "last enabled admin" in errors(at)
    assert account(db_url, "boss")["disabled"] is False


def test_the_role_box_shows_the_picked_accounts_role(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Picking another account shows its own role: "Apply role" must never give it the
    role left in the box for the account picked before (an admin once promoted a viewer
    this way)."""
    add_account(db_url, "boss", "admin")
    add_account(db_url, "vera", "viewer")
    at = accounts_page(db_url, monkeypatch, "boss")
    at.selectbox(key="acc_pick").select("boss").run()
    assert at.selectbox(key="acc_role").value == "admin"
    at.selectbox(key="acc_pick").select("vera").run()
    assert at.selectbox(key="acc_role").value == "viewer"
    assert at.button(key="acc_apply_role").disabled
    at.selectbox(key="acc_role").select("analyst").run()
    at.button(key="acc_apply_role").click().run()
    assert account(db_url, "vera")["role"] == "analyst"
    at.selectbox(key="acc_pick").select("boss").run()
    assert at.selectbox(key="acc_role").value == "admin"
    assert account(db_url, "boss")["role"] == "admin"
