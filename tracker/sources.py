"""Sources: the articles, statements and transcripts that stances quote.

Ingestion from files and web pages (extraction, dates, duplicate stories) builds
on :func:`add_source`; this module keeps the rules every path shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from tracker.errors import NotFoundError, TrackerError
from tracker.models import Source, Stance
from tracker.text import squash


def content_hash(text: str) -> str:
    """Identity of a text: the same words with different line wrapping are the same source."""
    return hashlib.sha256(squash(text).encode("utf-8")).hexdigest()


def find_by_text(session: Session, text: str) -> Source | None:
    return session.scalar(select(Source).where(Source.content_hash == content_hash(text)))


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source with id {source_id}")
    return source


def add_source(
    session: Session,
    text: str,
    *,
    title: str = "",
    outlet: str = "",
    url: str = "",
    published_on: dt.date | None = None,
    duplicate_of: Source | None = None,
) -> tuple[Source, bool]:
    """Store a source unless the same text is already stored. Returns (source, created)."""
    if "\x00" in text:
        raise TrackerError("source text contains NUL bytes; is this a binary file?")
    if not text.strip():
        raise TrackerError("source text is empty")
    existing = find_by_text(session, text)
    if existing is not None:
        return existing, False
    source = Source(
        text=text,
        content_hash=content_hash(text),
        title=squash(title),
        outlet=squash(outlet),
        url=url.strip(),
        published_on=published_on,
        duplicate_of=duplicate_of.id if duplicate_of is not None else None,
    )
    session.add(source)
    session.flush()
    return source, True


def mark_duplicate(session: Session, source: Source, original: Source | None) -> None:
    """Link a rewrite of a story to the original so the two count once."""
    if original is not None:
        if original.id == source.id:
            raise TrackerError("a source cannot be a duplicate of itself")
        # Point at the root, so chains of rewrites never form.
        while original.duplicate_of is not None:
            original = get_source(session, original.duplicate_of)
            if original.id == source.id:
                raise TrackerError("that link would make a loop of duplicates")
    source.duplicate_of = original.id if original is not None else None
    session.flush()


def list_sources(session: Session) -> Sequence[tuple[Source, int]]:
    """Every source with its number of stances, newest first."""
    counts = select(Stance.source_id, func.count().label("n")).group_by(Stance.source_id).subquery()
    rows = session.execute(
        select(Source, func.coalesce(counts.c.n, 0))
        .options(defer(Source.text))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.published_on.desc().nulls_last(), Source.id.desc())
    ).all()
    return [(source, int(n)) for source, n in rows]
