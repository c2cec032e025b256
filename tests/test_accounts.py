"""Accounts and logins (tracker.accounts) and `tracker users`, on a real database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from tracker import accounts
from tracker.accounts import LoginRefused, login
from tracker.cli import app
from tracker.db import reading, transaction
from tracker.models import Account

runner = CliRunner()
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse"


def add(engine: Engine, name: str = "ana", role: str = "analyst", password: str = PASSWORD) -> None:
    with transaction(engine) as s:
        accounts.add_account(s, name, role, password)


def stored(engine: Engine, name: str) -> Account:
    with reading(engine) as s:
        return accounts.get_account(s, name)


def test_login_with_the_right_password_names_the_account(engine: Engine) -> None:
    add(engine, "Ana.Smith")
    who = login(engine, "ana.smith", PASSWORD)  # user names ignore case
    assert (who.name, who.role.value, who.is_account) == ("Ana.Smith", "analyst", True)


def test_only_a_slow_salted_hash_is_stored(engine: Engine) -> None:
    add(engine, "ana")
    add(engine, "bob", password=PASSWORD)
    ana, bob = stored(engine, "ana"), stored(engine, "bob")
    assert ana.password_hash.startswith("$argon2id$")
    assert PASSWORD not in ana.password_hash and ana.password_hash != bob.password_hash


@pytest.mark.parametrize(("name", "password"), [("ana", "wrong password"), ("nobody", PASSWORD)])
def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    engine: Engine, name: str, password: str
) -> None:
    add(engine)
    with pytest.raises(LoginRefused, match="^wrong user name or password$"):
        login(engine, name, password)


def test_a_disabled_account_cannot_sign_in(engine: Engine) -> None:
    add(engine)
    add(engine, "boss", role="admin")
    with transaction(engine) as s:
        accounts.set_disabled(s, "ana", True)
    with pytest.raises(LoginRefused, match="disabled"):
        login(engine, "ana", PASSWORD)
    with pytest.raises(LoginRefused, match="^wrong user name or password$"):
        login(engine, "ana", "not it")  # the state is told only to who knows the password
    with reading(engine) as s:
        assert accounts.principal_for(s, "ana") is None  # nor does single sign-on let it in


def test_five_failures_lock_the_name_for_five_minutes(engine: Engine) -> None:
    add(engine)
    for minute in range(4):
        with pytest.raises(LoginRefused, match="^wrong user name or password$"):
            login(engine, "ana", "guess", now=T0 + dt.timedelta(minutes=minute))
    with pytest.raises(LoginRefused, match=r"try again after 09:09 UTC \(in 5 minutes\)"):
        login(engine, "ana", "guess", now=T0 + dt.timedelta(minutes=4))
    # Locked: even the right password is refused, and the count is in the database.
    with pytest.raises(LoginRefused, match=r"after 09:09 UTC \(in 2 minutes\)"):
        login(engine, "ana", PASSWORD, now=T0 + dt.timedelta(minutes=7, seconds=30))
    assert stored(engine, "ana").locked_until == T0 + dt.timedelta(minutes=9)
    assert login(engine, "ana", PASSWORD, now=T0 + dt.timedelta(minutes=9)).name == "ana"
    assert stored(engine, "ana").locked_until is None


def test_failures_older_than_fifteen_minutes_do_not_count(engine: Engine) -> None:
    add(engine)
    for minute in (0, 1, 2, 3, 20):
        with pytest.raises(LoginRefused, match="^wrong user name or password$"):
            login(engine, "ana", "guess", now=T0 + dt.timedelta(minutes=minute))
    assert stored(engine, "ana").failed_logins == 1  # a new run of failures began at 20


def test_a_success_clears_the_failures(engine: Engine) -> None:
    add(engine)
    for _ in range(4):
        with pytest.raises(LoginRefused):
            login(engine, "ana", "guess", now=T0)
    login(engine, "ana", PASSWORD, now=T0)
    with pytest.raises(LoginRefused, match="^wrong user name or password$"):
        login(engine, "ana", "guess", now=T0)  # counting starts again


def test_the_last_admin_stays(engine: Engine) -> None:
    add(engine, "boss", role="admin")
    with pytest.raises(Exception, match="last enabled admin"), transaction(engine) as s:
        accounts.set_role(s, "boss", "analyst")
    with pytest.raises(Exception, match="last enabled admin"), transaction(engine) as s:
        accounts.set_disabled(s, "boss", True)
    add(engine, "deputy", role="admin")
    with transaction(engine) as s:
        accounts.set_disabled(s, "boss", True)


# --- tracker users ---------------------------------------------------------------------------


def tracker(db: str, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, ["--db", db, *args], input=input)


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_users_commands(db_url: str, engine: Engine) -> None:
    added = tracker(db_url, "users", "add", "Ana", "--role", "admin", input="s3cret-pass\n" * 2)
    assert added.exit_code == 0, added.output
    assert "s3cret-pass" not in added.output  # typed without echo
    piped = tracker(
        db_url, "users", "add", "bob", "--role", "viewer", "--password-stdin", input="pw-for-bob\n"
    )
    assert piped.exit_code == 0 and "Added viewer bob" in piped.output
    assert login(engine, "bob", "pw-for-bob").role.value == "viewer"

    assert tracker(db_url, "users", "set-role", "BOB", "reviewer").exit_code == 0
    assert tracker(db_url, "users", "disable", "bob").exit_code == 0
    listed = json.loads(tracker(db_url, "users", "list", "--json").stdout)
    assert [(r["username"], r["role"], r["disabled"]) for r in listed] == [
        ("Ana", "admin", False),
        ("bob", "reviewer", True),
    ]
    assert "hash" not in json.dumps(listed) and "argon2" not in json.dumps(listed)
    table = tracker(db_url, "users", "list").stdout
    assert "bob" in table and "disabled" in table

    assert tracker(db_url, "users", "enable", "bob").exit_code == 0
    reset = tracker(db_url, "users", "set-password", "bob", "--password-stdin", input="new-pass\n")
    assert reset.exit_code == 0, reset.output
    assert login(engine, "bob", "new-pass").name == "bob"

    sso = tracker(db_url, "users", "add", "carol", "--no-password")
    assert sso.exit_code == 0, sso.output
    with pytest.raises(LoginRefused, match="^wrong user name or password$"):
        login(engine, "carol", "")  # no password opens it: single sign-on only


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "ana", "--role", "boss"], "pw-long-enough\n" * 2, "unknown role 'boss'"),
        (["add", "a b", "--password-stdin"], "pw-long-enough\n", "user name 'a b' must be"),
        (["add", "ana", "--password-stdin"], "short\n", "at least 8 characters"),
        (["add", "ana", "--password-stdin"], "", "standard input is empty"),
        (["add", "ana"], "pw-long-enough\nanother-one\n", "the two passwords differ"),
        (["add", "taken", "--password-stdin"], "pw-long-enough\n", "'taken' already exists"),
        (["set-role", "nobody", "admin"], None, "no account named 'nobody'"),
        (["disable", "taken"], None, "last enabled admin"),
    ],
)
def test_users_errors_are_one_line(
    db_url: str, engine: Engine, args: list[str], stdin: str | None, message: str
) -> None:
    add(engine, "taken", role="admin")
    assert_user_error(tracker(db_url, "users", *args, input=stdin), message)
    with reading(engine) as s:
        assert s.scalars(select(Account.username)).all() == ["taken"]  # nothing added


def test_demo_creates_a_local_admin_once(db_url: str, engine: Engine) -> None:
    first = tracker(db_url, "demo")
    assert first.exit_code == 0, first.output
    line = next(x for x in first.output.splitlines() if x.startswith("Sign in"))
    password = line.split("with password '")[1].split("'")[0]
    assert login(engine, "admin", password).role.value == "admin"
    again = tracker(db_url, "demo")
    assert "with password" not in again.output and "your account" in again.output
    with reading(engine) as s:
        assert len(accounts.list_accounts(s)) == 1
