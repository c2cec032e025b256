"""Rows with sensible defaults, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from tracker.actors import create_actor
from tracker.issues import IssueRow, save_issue
from tracker.models import Actor, Issue, Source, Stance
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
