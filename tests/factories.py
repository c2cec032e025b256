"""Rows with sensible defaults, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from dashboard.state import SIGNED_IN
from tracker.accounts import add_account, find_account
from tracker.actors import create_actor
from tracker.db import make_engine, transaction
from tracker.issues import IssueRow, save_issue
from tracker.models import Account, Actor, Issue, Source, Stance
from tracker.sources import add_source
from tracker.stances import record_stance

_counter = itertools.count(1)

ARTICLE = (
    "Kyiv, Monday. Zelensky said that 'there should be a ceasefire first, then security "
    "guarantees'. Moscow ruled out the deployment of troops from NATO countries."
)
_UNSET = dt.date(1, 1, 1)


def make_actor(
    session: Session,
    name: str | None = None,
    *,
    kind: str = "person",
    party: Actor | None = None,
    aliases: Sequence[str] = (),
) -> Actor:
    return create_actor(session, name or f"Actor {next(_counter)}", kind, party, aliases)


def make_issue(session: Session, slug: str | None = None) -> Issue:
    slug = slug or f"issue-{next(_counter)}"
    issue, _ = save_issue(session, IssueRow(slug=slug, name=slug.replace("-", " ").title()))
    return issue


def make_source(
    session: Session,
    text: str | None = None,
    *,
    title: str = "A test article",
    published_on: dt.date | None = _UNSET,
) -> Source:
    return add_source(
        session,
        text or f"{ARTICLE} (copy {next(_counter)})",
        title=title,
        published_on=dt.date(2025, 8, 13) if published_on is _UNSET else published_on,
    )


def make_stance(
    session: Session,
    *,
    actor: Actor | None = None,
    issue: Issue | None = None,
    source: Source | None = None,
    position: Any = 2,
    quote: str = "there should be a ceasefire first",
    annotator: str = "ana",
    **kwargs: Any,
) -> Stance:
    return record_stance(
        session,
        actor=actor or make_actor(session),
        issue=issue or make_issue(session),
        source=source or make_source(session),
        position=position,
        quote=quote,
        annotator=annotator,
        **kwargs,
    )


def make_account(
    session: Session, name: str | None = None, *, role: str = "analyst", password: str | None = None
) -> Account:
    """An account; without a password it can be signed in only by presetting the session."""
    return add_account(session, name or f"user{next(_counter)}", role, password)


def ensure_account(url: str, name: str, role: str = "admin") -> None:
    """Make sure the database at ``url`` has an enabled account ``name`` with ``role``."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            account = find_account(session, name)
            if account is None:
                make_account(session, name, role=role)
            else:
                account.role, account.disabled = role, False
    finally:
        engine.dispose()


def sign_in(at: AppTest, url: str, name: str = "ana", role: str = "admin") -> AppTest:
    """Sign ``name`` in to the AppTest's session, as the login form would."""
    ensure_account(url, name, role)
    at.session_state[SIGNED_IN] = name
    return at
