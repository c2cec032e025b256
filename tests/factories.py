"""Rows with sensible defaults, so a test states only what it is about."""

from __future__ import annotations

import datetime as dt
import itertools

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


def make_actor(session: Session, name: str | None = None, **kwargs: object) -> Actor:
    return create_actor(
        session,
        name or f"Actor {next(_counter)}",
        str(kwargs.pop("kind", "person")),
        **kwargs,  # type: ignore[arg-type]
    )


def make_issue(session: Session, slug: str | None = None, **kwargs: object) -> Issue:
    slug = slug or f"issue-{next(_counter)}"
    issue, _ = save_issue(session, IssueRow(slug=slug, name=str(kwargs.get("name", slug))))
    return issue


def make_source(session: Session, text: str | None = None, **kwargs: object) -> Source:
    text = text or f"{ARTICLE} (copy {next(_counter)})"
    source, _ = add_source(
        session,
        text,
        title=str(kwargs.get("title", "A test article")),
        published_on=kwargs.get("published_on", dt.date(2025, 8, 13)),  # type: ignore[arg-type]
    )
    return source


def make_stance(session: Session, **kwargs: object) -> Stance:
    source = kwargs.pop("source", None) or make_source(session)
    return record_stance(
        session,
        actor=kwargs.pop("actor", None) or make_actor(session),  # type: ignore[arg-type]
        issue=kwargs.pop("issue", None) or make_issue(session),  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
        position=kwargs.pop("position", 2),  # type: ignore[arg-type]
        quote=kwargs.pop("quote", "there should be a ceasefire first"),  # type: ignore[arg-type]
        annotator=kwargs.pop("annotator", "ana"),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
