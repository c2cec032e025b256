"""Signed "stay signed in" tokens, so reloading the dashboard does not sign an analyst out.

A token names an account and an expiry and is signed with HMAC-SHA256 keyed by the
account's stored password hash (itself salted and secret). So no table of sessions is
needed, and changing an account's password ends every token issued for it: "sign out
everywhere" is a password change. Disabling the account refuses its tokens at once; its
role is read afresh on every use. The browser keeps the token in a cookie (set by the
dashboard); anything that cookie holds is untrusted input and checked here.

Limits, documented in the user guide: a token cannot be revoked on its own before it
expires (log out clears the browser's copy), and single-sign-on accounts (no password)
get no token: the proxy signs them in on every request anyway.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac

from sqlalchemy.orm import Session

from tracker.access import Principal
from tracker.accounts import find_account
from tracker.errors import TrackerError
from tracker.models import Account, Role, utcnow

TOKEN_DAYS = 7
MAX_TOKEN_LENGTH = 400  # longer cookie values are refused before any work is done


def _signature(account: Account, payload: str) -> str:
    key = account.password_hash.encode("utf-8")
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def issue_token(account: Account, *, now: dt.datetime | None = None, days: int = TOKEN_DAYS) -> str:
    """A token that signs ``account`` in until ``days`` from ``now``."""
    if not account.password_hash:
        raise TrackerError(f"account {account.username} signs in through single sign-on only")
    expires = int(((now or utcnow()) + dt.timedelta(days=days)).timestamp())
    name = base64.urlsafe_b64encode(account.username.encode("utf-8")).decode("ascii")
    payload = f"{name}.{expires}"
    return f"{payload}.{_signature(account, payload)}"


def principal_from_token(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> Principal | None:
    """The enabled account a valid, unexpired token names, else None (never an error: a
    bad cookie just means signing in again)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        return None
    name_b64, expires_text, signature = token.split(".")
    try:
        username = base64.urlsafe_b64decode(name_b64.encode("ascii")).decode("utf-8")
        expires = int(expires_text)
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if expires < (now or utcnow()).timestamp() or not username.strip():
        return None
    account = find_account(session, username)
    if account is None or account.disabled or not account.password_hash:
        return None
    if not hmac.compare_digest(_signature(account, f"{name_b64}.{expires_text}"), signature):
        return None
    return Principal(account.username, Role(account.role), account.id)
