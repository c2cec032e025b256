""" "Stay signed in" tokens (tracker.session_tokens): what signs a browser back in and what
does not, on a real database."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import Engine

from tracker import accounts
from tracker.db import reading, transaction
from tracker.errors import TrackerError
from tracker.session_tokens import MAX_TOKEN_LENGTH, TOKEN_DAYS, issue_token, principal_from_token

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def token_for(engine: Engine, name: str = "Ana", *, now: dt.datetime = T0) -> str:
    with reading(engine) as s:
        return issue_token(accounts.get_account(s, name), now=now)


def who(engine: Engine, token: str, *, now: dt.datetime = T0) -> str | None:
    with reading(engine) as s:
        found = principal_from_token(s, token, now=now)
    return None if found is None else f"{found.name} {found.role.value}"


@pytest.fixture
def ana(engine: Engine) -> str:
    with transaction(engine) as s:
        accounts.add_account(s, "Ana", "analyst", "correct horse")
    return token_for(engine)


def test_a_token_signs_its_account_in_until_it_expires(engine: Engine, ana: str) -> None:
    assert who(engine, ana) == "Ana analyst"
    last_day = T0 + dt.timedelta(days=TOKEN_DAYS) - dt.timedelta(minutes=1)
    assert who(engine, ana, now=last_day) == "Ana analyst"
    assert who(engine, ana, now=T0 + dt.timedelta(days=TOKEN_DAYS, minutes=1)) is None


def test_the_role_is_read_afresh_and_a_disabled_account_is_refused(
    engine: Engine, ana: str
) -> None:
    with transaction(engine) as s:
        accounts.set_role(s, "ana", "reviewer")
    assert who(engine, ana) == "Ana reviewer"
    with transaction(engine) as s:
        accounts.set_disabled(s, "ana", True)
    assert who(engine, ana) is None


def test_a_password_change_ends_every_token(engine: Engine, ana: str) -> None:
    with transaction(engine) as s:
        accounts.set_password(s, "ana", "battery staple")
    assert who(engine, ana) is None
    assert who(engine, token_for(engine)) == "Ana analyst"  # a new sign-in gets a new one


def test_forged_and_malformed_tokens_sign_nobody_in(engine: Engine, ana: str) -> None:
    name, expires, signature = ana.split(".")
    with transaction(engine) as s:
        accounts.add_account(s, "admin", "admin", "another password")
    admin = base64.urlsafe_b64encode(b"admin").decode()
    for token in [
        f"{admin}.{expires}.{signature}",  # Ana's signature on another name
        f"{name}.{int(expires) + 86400}.{signature}",  # a later expiry
        f"{name}.{expires}.{signature[:-1]}{'1' if signature[-1] == '0' else '0'}",  # altered
        f"{name}.{expires}",
        "",
        "not a token",
        f"{name}.soon.{signature}",
        f"%%%.{expires}.{signature}",
        f"{base64.urlsafe_b64encode(b'nobody').decode()}.{expires}.{signature}",
        ana + "x" * MAX_TOKEN_LENGTH,
    ]:
        assert who(engine, token) is None, token


def test_single_sign_on_accounts_get_no_token(engine: Engine) -> None:
    with transaction(engine) as s:
        account = accounts.add_account(s, "sso-user", "analyst", None)
        account.password_hash = ""  # signs in through the proxy only
    with pytest.raises(TrackerError, match="single sign-on only"), reading(engine) as s:
        issue_token(accounts.get_account(s, "sso-user"))
