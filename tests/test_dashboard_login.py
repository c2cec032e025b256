"""Signing in to the dashboard, and what a role may do through its pages (AppTest)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from dashboard import state
from tests.factories import sign_in
from tracker import accounts
from tracker.config import ENV_VAR, USER_HEADER_ENV_VAR
from tracker.db import make_engine, reading, safe_url, transaction
from tracker.history import HistoryFilter, audit_csv
from tracker.models import Account, Source, Stance, StanceEvent

ROOT = Path(__file__).resolve().parents[1] / "dashboard"
APP, TAG, HISTORY = str(ROOT / "app.py"), str(ROOT / "views/tag.py"), str(ROOT / "views/history.py")
PASSWORD = "dashboard-pass"
QUOTE = "I wish they could stop, I'd like them to stop"

pytestmark = pytest.mark.usefixtures("dashboard_env")


def add_account(url: str, name: str, role: str = "analyst", password: str = PASSWORD) -> None:
    engine = make_engine(url)
    with transaction(engine) as s:
        accounts.add_account(s, name, role, password)
    engine.dispose()


def open_app(url: str, monkeypatch: pytest.MonkeyPatch, script: str = APP) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(script, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> str:
    """The error boxes' text, unescaped (messages are shown with Markdown escaped)."""
    return re.sub(r"\\(.)", r"\1", " ".join(e.value for e in at.error))


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with reading(engine) as s:
        found = s.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return found


def test_no_account_yet_says_how_to_create_one(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(db_url, monkeypatch)
    # For this database: a `tracker users add` on the default tracker.db would not help.
    assert "users add NAME --role admin" in at.info[0].value
    url = make_url(db_url)
    written = safe_url(url.set(drivername=url.get_backend_name()))  # postgresql://, no driver
    assert f"tracker --db '{written}' users add" in at.info[0].value
    assert not at.text_input and not at.title  # no page, no form


def test_no_page_before_signing_in_then_log_out(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(demo_url, "ana")
    at = open_app(demo_url, monkeypatch)
    assert [t.value for t in at.title] == ["Sign in"] and not at.dataframe
    log_in(at, "ANA", PASSWORD)
    assert at.session_state[state.SIGNED_IN] == "ana"
    assert [t.value for t in at.title] == ["Stances"] and at.dataframe
    assert "Signed in as ana \\(analyst\\)" in " ".join(m.value for m in at.sidebar.markdown)
    at.sidebar.button(key="logout").click().run()
    assert state.SIGNED_IN not in at.session_state
    assert [t.value for t in at.title] == ["Sign in"] and not at.dataframe


def test_a_wrong_password_is_refused_without_saying_why(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(demo_url, "ana")
    at = log_in(open_app(demo_url, monkeypatch), "ana", "not the password")
    assert errors(at) == "wrong user name or password"
    assert state.SIGNED_IN not in at.session_state and not at.dataframe
    log_in(at, "nobody", PASSWORD)
    assert errors(at) == "wrong user name or password"


def test_a_disabled_account_cannot_sign_in_and_is_signed_out(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(demo_url, "ana")
    add_account(demo_url, "boss", "admin")
    at = log_in(open_app(demo_url, monkeypatch), "ana", PASSWORD)
    assert at.dataframe
    engine = make_engine(demo_url)
    with transaction(engine) as s:
        accounts.set_disabled(s, "ana", True)
    engine.dispose()
    at.run()  # the next click: the session ends at once
    assert [t.value for t in at.title] == ["Sign in"] and not at.dataframe
    log_in(at, "ana", PASSWORD)
    assert "disabled" in errors(at)


def test_failed_logins_are_limited_across_browser_sessions(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(demo_url, "ana")
    at = open_app(demo_url, monkeypatch)
    for _ in range(4):
        log_in(at, "ana", "guess")
        assert errors(at) == "wrong user name or password"
    log_in(at, "ana", "guess")
    assert "Too many failed logins for this user name: try again after" in errors(at)
    assert "(in 5 minutes)" in errors(at)
    fresh = open_app(demo_url, monkeypatch)  # a new browser session does not reset it
    log_in(fresh, "ana", PASSWORD)
    assert "Too many failed logins" in errors(fresh) and not fresh.dataframe


def test_a_viewer_sees_no_write_controls_on_any_page(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, demo_url)
    pages = ["tag", "review", "sources", "taxonomy", "history"]
    for page in pages:
        at = sign_in(AppTest.from_file(APP, default_timeout=30), demo_url, "vic", "viewer")
        at.run()
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        writes = [
            b.key
            for b in at.button
            if b.key and b.key not in ("logout",) and not b.key.startswith(("h_", "review_skip"))
        ]
        assert not writes, (page, writes)
        assert not at.get("form"), page
        if page == "sources":
            assert not at.text_area  # no "Add a source" box


def test_a_viewer_write_through_a_page_is_refused_and_nothing_saved(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were a page to show a viewer its form (here: its role check made to say yes), the
    service still refuses: the page says why, and nothing is written."""
    engine = make_engine(demo_url)
    with reading(engine) as s:
        source = s.scalar(select(Source.id).where(Source.title.startswith("US would help")))
    monkeypatch.setenv(ENV_VAR, demo_url)
    monkeypatch.setattr(state, "may", lambda role: True)
    at = sign_in(AppTest.from_file(TAG, default_timeout=30), demo_url, "vic", "viewer")
    at.session_state["tag_source"] = source
    at.run()
    at.text_area(key="tag_quote").input(QUOTE).run()
    at.selectbox(key="tag_actor").select("Donald Trump").run()
    stances, events = count(demo_url, Stance), count(demo_url, StanceEvent)
    at.button(key="tag_save").click().run()
    assert "viewers cannot record stances (signed in as vic" in errors(at)
    assert (count(demo_url, Stance), count(demo_url, StanceEvent)) == (stances, events)
    engine.dispose()


def test_a_saved_stance_carries_the_login_name(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(demo_url)
    with reading(engine) as s:
        source = s.scalar(select(Source.id).where(Source.title.startswith("US would help")))
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = sign_in(AppTest.from_file(TAG, default_timeout=30), demo_url, "ana", "analyst")
    at.session_state["tag_source"] = source
    at.run()
    assert not at.sidebar.text_input  # no "Your name" box any more
    at.text_area(key="tag_quote").input(QUOTE).run()
    at.selectbox(key="tag_actor").select("Donald Trump").run()
    at.button(key="tag_save").click().run()
    assert not at.error, errors(at)
    with reading(engine) as s:
        stance = s.scalars(select(Stance).where(Stance.quote == QUOTE)).one()
        assert stance.annotator == "ana"
    engine.dispose()


def test_single_sign_on_takes_the_user_from_the_proxy_header(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(demo_url, "ana", "reviewer")
    monkeypatch.setenv(USER_HEADER_ENV_VAR, "X-Forwarded-User")
    headers = {"x-forwarded-user": "ana"}
    monkeypatch.setattr(state, "request_headers", lambda: headers)
    at = open_app(demo_url, monkeypatch)
    assert [t.value for t in at.title] == ["Stances"]  # no password asked
    assert "Signed in as ana \\(reviewer\\)" in " ".join(m.value for m in at.sidebar.markdown)
    assert not at.sidebar.button  # signing out is the proxy's business

    headers["x-forwarded-user"] = "mallory"
    at = open_app(demo_url, monkeypatch)
    assert "no enabled account named 'mallory'" in errors(at) and not at.dataframe
    headers.clear()
    at = open_app(demo_url, monkeypatch)
    assert "carries no X-Forwarded-User header" in errors(at) and not at.dataframe


def test_history_page_only_reads_and_exports_the_audit_trail(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = sign_in(AppTest.from_file(HISTORY, default_timeout=30), demo_url, "boss", "admin")
    at.run()
    assert not at.exception
    # Filters and paging, a download, and nothing that edits: not even for an admin.
    assert not at.button and not at.get("form") and not at.get("data_editor")
    (download,) = at.get("download_button")
    assert "audit trail" in download.proto.label
    engine = make_engine(demo_url)
    with reading(engine) as s:
        data = audit_csv(s, HistoryFilter(action="create", since=dt.date(2000, 1, 1)))
        total = s.scalar(select(func.count()).select_from(StanceEvent))
        assert s.scalar(select(func.count()).select_from(Account)) == 1
    engine.dispose()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == total == 43
    assert rows[0]["annotator"] == "seed data" and rows[0]["action"] == "create"
    assert json.loads(rows[0]["after"])["quote"] and rows[0]["before"] == ""
