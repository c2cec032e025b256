"""Accounts: who may sign in to the dashboard, with which role, and the login itself.

Passwords are kept only as argon2id hashes (salted, deliberately slow and memory-hard)
and are never logged or echoed. Failed logins are counted per account in the database,
so opening a new browser session does not reset the count.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tracker.access import ROLES, Principal, principal_of, require
from tracker.db import transaction
from tracker.errors import NotFoundError, TrackerError
from tracker.models import Account, Role, utcnow
from tracker.text import name_key

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=5)
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
WRONG = "wrong user name or password"
_USERNAME = re.compile(r"^[\w.@+-]{1,100}$")
_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRefused(TrackerError):
    """Wrong name or password, a disabled account, or too many recent failures."""


def check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.match(username):
        raise TrackerError(
            f"user name {username[:40]!r} must be 1 to 100 letters, digits or . _ @ + -"
        )
    return username


def check_role(role: str) -> Role:
    role = role.strip().lower()
    if role not in ROLES:
        raise TrackerError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return Role(role)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise TrackerError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise TrackerError(f"the password must have at most {MAX_PASSWORD} characters")
    return password


def new_password() -> str:
    """A random password for a first account (about 96 bits)."""
    return secrets.token_urlsafe(12)


def find_account(session: Session, username: str) -> Account | None:
    return session.scalar(select(Account).where(Account.username_key == name_key(username)))


def get_account(session: Session, username: str) -> Account:
    account = find_account(session, username)
    if account is None:
        raise NotFoundError(f"no account named {username!r}")
    return account


def has_accounts(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Account)) != 0


def list_accounts(session: Session) -> Sequence[Account]:
    return session.scalars(select(Account).order_by(Account.username_key)).all()


def describe(account: Account) -> dict[str, Any]:
    """What `tracker users list` shows: never the hash."""
    return {
        "username": account.username,
        "role": account.role,
        "disabled": account.disabled,
        "password": bool(account.password_hash),
        "created_at": account.created_at.isoformat(timespec="seconds"),
        "locked_until": account.locked_until.isoformat(timespec="seconds")
        if account.locked_until and account.locked_until > utcnow()
        else None,
    }


def add_account(session: Session, username: str, role: str, password: str | None = None) -> Account:
    """A new account. Without a password it can sign in only through single sign-on."""
    require(session, Role.ADMIN, "manage accounts")
    username = check_username(username)
    if find_account(session, username) is not None:
        raise TrackerError(f"an account named {username!r} already exists")
    account = Account(
        username=username,
        username_key=name_key(username),
        role=check_role(role).value,
        password_hash=_hasher.hash(check_password(password)) if password is not None else "",
        disabled=False,
        failed_logins=0,
    )
    session.add(account)
    session.flush()
    return account


def set_role(session: Session, username: str, role: str) -> Account:
    require(session, Role.ADMIN, "manage accounts")
    account = get_account(session, username)
    new_role = check_role(role)
    if new_role != Role.ADMIN:
        _keep_an_admin(session, account, f"give {account.username} the {new_role.value} role")
    account.role = new_role.value
    session.flush()
    return account


def set_disabled(session: Session, username: str, disabled: bool) -> Account:
    """Disable (no more logins; the history keeps the name) or enable an account."""
    require(session, Role.ADMIN, "manage accounts")
    account = get_account(session, username)
    if disabled:
        _keep_an_admin(session, account, f"disable {account.username}")
    account.disabled = disabled
    session.flush()
    return account


def set_password(session: Session, username: str, password: str) -> Account:
    """A new password; it also lifts a lockout from failed logins."""
    require(session, Role.ADMIN, "manage accounts")
    account = get_account(session, username)
    account.password_hash = _hasher.hash(check_password(password))
    _clear_failures(account)
    session.flush()
    return account


def change_own_password(session: Session, current: str, new: str) -> Account:
    """The signed-in account changes its own password, proving it knows the current one
    (a session left open is not enough to take the account over). Any role may."""
    principal = principal_of(session)
    if principal.account_id is None:
        raise TrackerError("only a signed-in account has a password of its own to change")
    account = session.get(Account, principal.account_id)
    if account is None or account.disabled:
        raise TrackerError("this account is disabled or gone; sign in again")
    if not account.password_hash:
        raise TrackerError("this account signs in through single sign-on and has no password")
    if not _verify(account.password_hash, current):
        raise TrackerError("the current password is wrong; nothing was changed")
    if current == new:
        raise TrackerError("the new password is the current one")
    account.password_hash = _hasher.hash(check_password(new))
    session.flush()
    return account


def _keep_an_admin(session: Session, account: Account, doing: str) -> None:
    """Refuse to leave the dashboard with no enabled admin (nobody could manage it)."""
    if account.role != Role.ADMIN.value or account.disabled:
        return
    others = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(Account.role == Role.ADMIN.value, ~Account.disabled, Account.id != account.id)
    )
    if not others:
        raise TrackerError(f"cannot {doing}: it is the last enabled admin account")


def principal_for(session: Session, username: str) -> Principal | None:
    """The enabled account named ``username`` as a principal, else None."""
    account = find_account(session, username)
    if account is None or account.disabled:
        return None
    return Principal(account.username, Role(account.role), account.id)


def login(
    engine: Engine, username: str, password: str, *, now: dt.datetime | None = None
) -> Principal:
    """Check a user name and password; raise :class:`LoginRefused` with what to tell the user.

    After MAX_FAILURES failures for one name within FAILURE_WINDOW, that name is refused
    for LOCKOUT, whatever the password. Failures are counted (and committed) even though
    the attempt is refused. Unknown names get the same answer as wrong passwords.
    """
    now = now or utcnow()
    refusal, principal = WRONG, None
    with transaction(engine) as session:
        account = find_account(session, username) if username.strip() else None
        if account is None:
            _verify(_DUMMY_HASH, password)
            refusal = WRONG
        elif account.locked_until is not None and now < account.locked_until:
            refusal = _locked_message(account.locked_until, now)
        elif not _verify(account.password_hash, password):
            refusal = _record_failure(account, now)
        elif account.disabled:
            refusal = "this account is disabled; ask an admin to enable it"
        else:
            _clear_failures(account)
            if _hasher.check_needs_rehash(account.password_hash):
                account.password_hash = _hasher.hash(password)
            principal = Principal(account.username, Role(account.role), account.id)
    if principal is None:
        raise LoginRefused(refusal)
    return principal


def _verify(password_hash: str, password: str) -> bool:
    if not password_hash:  # single sign-on only: no password opens it
        _verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_failure(account: Account, now: dt.datetime) -> str:
    if account.failed_since is None or now - account.failed_since > FAILURE_WINDOW:
        account.failed_since, account.failed_logins = now, 0
    account.failed_logins += 1
    if account.failed_logins < MAX_FAILURES:
        return WRONG
    _clear_failures(account)
    account.locked_until = now + LOCKOUT
    return f"{WRONG}. " + _locked_message(account.locked_until, now)


def _clear_failures(account: Account) -> None:
    account.failed_logins, account.failed_since, account.locked_until = 0, None, None


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (
        f"Too many failed logins for this user name: try again after {until:%H:%M} UTC "
        f"(in {minutes} minute{'s' if minutes != 1 else ''})"
    )
