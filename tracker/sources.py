"""Sources: the articles, statements and transcripts that stances quote.

Ingestion from files and web pages (extraction, dates, duplicate stories) builds
on :func:`add_source`; this module keeps the rules every path shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session, defer, make_transient_to_detached

from tracker.access import annotator as acting_name
from tracker.access import require
from tracker.dates import plausible_day
from tracker.db import READ_ONLY, ReadOnlySessionError
from tracker.errors import NotFoundError, TrackerError
from tracker.mentions import AliasMatcher, Found
from tracker.models import Actor, Mention, Role, Source, Stance, utcnow
from tracker.position_days import refresh_sources, story_members
from tracker.text import check_length, shorten, squash


class DuplicateSourceError(TrackerError):
    """The same text is already stored; ``existing`` is that source."""

    def __init__(self, existing: Source) -> None:
        title = f" ({existing.title!r})" if existing.title else ""
        super().__init__(f"the same text is already stored as source {existing.id}{title}")
        self.existing = existing


def content_hash(text: str) -> str:
    """Identity of a text: the same words, whatever the line wrapping or Unicode form
    (NFKC: full-width letters, ligatures and non-breaking spaces fold to plain ones)."""
    return hashlib.sha256(squash(unicodedata.normalize("NFKC", text)).encode("utf-8")).hexdigest()


# Built once and run as Core on the session's connection: nearly every text is new, and
# building and running an ORM query cost ten times the indexed lookup itself.
_SOURCE = cast(Table, Source.__table__)
_INSERT_SOURCE = insert(_SOURCE).returning(_SOURCE.c.id)
_ID_BY_HASH = select(_SOURCE.c.id).where(_SOURCE.c.content_hash == bindparam("digest"))


def find_by_text(session: Session, text: str, digest: str | None = None) -> Source | None:
    """The source with the same text; ``digest`` is its ``content_hash`` if known."""
    digest = digest if digest is not None else content_hash(text)
    session.flush()  # as the ORM query did: a source added but not yet written counts
    found = session.connection().execute(_ID_BY_HASH, {"digest": digest}).scalar()
    return session.get(Source, found) if found is not None else None


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
    split_from: int | None = None,
    published_basis: str = "",
    ingest_log: dict[str, Any] | None = None,
    minhash: bytes | None = None,
) -> Source:
    """Store a new source; the same text stored twice raises :class:`DuplicateSourceError`.

    ``split_from`` .. ``minhash``: what ingestion knows before the INSERT (one row write)."""
    require(session, Role.ANALYST, "add sources")
    if "\x00" in text:
        raise TrackerError("source text contains NUL bytes; is this a binary file?")
    if not text.strip():
        raise TrackerError("source text is empty")
    digest = content_hash(text)
    existing = find_by_text(session, text, digest)
    if existing is not None:
        raise DuplicateSourceError(existing)
    values: dict[str, Any] = {
        "text": text,
        "content_hash": digest,
        "title": shorten(title, 500),  # page titles can run long; the text is what counts
        "outlet": check_length(squash(outlet), 200, "the outlet"),
        "url": check_link(url),
        "published_on": published_on,
        "duplicate_of": duplicate_of.id if duplicate_of is not None else None,
        "split_from": split_from,
        "similarity": None,
        "published_basis": published_basis,
        "ingest_log": ingest_log if ingest_log is not None else {},
        "minhash": minhash,
        "ingested_at": utcnow(),
    }
    connection = session.connection()
    if connection.get_execution_options().get(READ_ONLY):
        raise ReadOnlySessionError(
            "changes cannot be saved through a session that only reads; nothing was saved"
        )
    # One Core INSERT, then the row as a persistent object without reading it back: the
    # ORM's flush of a new object cost five times the INSERT (ingestion adds thousands).
    # Every column is given, so no attribute of the object is left to load.
    values["id"] = connection.execute(_INSERT_SOURCE, values).scalar_one()
    source = Source(**values)
    make_transient_to_detached(source)
    session.add(source)
    return source


def check_link(url: str) -> str:
    """A source's link: empty, or an http:// or https:// address.

    Reports and the dashboard render it as a link, so a ``javascript:`` or ``data:``
    address would run in the reader's browser; spaces and control characters are refused
    too, since browsers drop some of them and would read another scheme than we checked.
    """
    url = url.strip()
    if not url:
        return ""
    check_length(url, 2000, "the link")
    shown = shorten(url, 80)
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        raise TrackerError(f"the link {shown!r} contains spaces or control characters")
    try:
        parts = urlsplit(url)
        web = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed [IPv6 address
        web = False
    if not web:
        raise TrackerError(
            f"the link {shown!r} is not a web address: give http:// or https:// and a host"
        )
    return url


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
    # Which stances count once changes for the old story and the new one.
    touched = story_members(session, source)
    source.duplicate_of = original.id if original is not None else None
    session.flush()
    refresh_sources(session, touched | story_members(session, source))


def set_title(
    session: Session, source: Source, *, title: str | None = None, outlet: str | None = None
) -> None:
    """Set (or correct) a source's title or outlet: an article stored without a title
    reads "untitled source #N" in reports, and re-adding the file only finds a duplicate.
    ``None`` leaves that one as it is; "" clears it."""
    require(session, Role.ANALYST, "change a source's title or outlet")
    if title is not None:
        source.title = check_length(squash(title), 500, "the title")
    if outlet is not None:
        source.outlet = check_length(squash(outlet), 200, "the outlet")
    session.flush()


def set_published(session: Session, source: Source, day: dt.date) -> None:
    """Set (or correct) when a source was published: the date its stances default to.
    Stances already recorded keep their own dates."""
    require(session, Role.ANALYST, "change a source's publication date")
    source.published_on = plausible_day(day, "the day the article was published")
    source.published_basis = f"set by {acting_name(session, 'hand')}"[:300]
    session.flush()


def list_sources(
    session: Session,
    *,
    limit: int | None = None,
    outlet: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Sequence[tuple[Source, int]]:
    """Sources with their number of stances, newest first, filtered in SQL."""
    counts = select(Stance.source_id, func.count().label("n")).group_by(Stance.source_id).subquery()
    query = (
        select(Source, func.coalesce(counts.c.n, 0))
        .options(defer(Source.text))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.published_on.desc().nulls_last(), Source.id.desc())
        .limit(limit)
    )
    if outlet:
        query = query.where(Source.outlet == outlet)
    if since:
        query = query.where(Source.published_on >= since)
    if until:
        query = query.where(Source.published_on <= until)
    return [(source, int(n)) for source, n in session.execute(query).all()]


def outlets(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Source.outlet).where(Source.outlet != "").distinct().order_by(Source.outlet)
        )
    )


def source_details(session: Session, source_id: int) -> dict[str, Any]:
    """Everything an analyst checks about one source, as plain data."""
    source = get_source(session, source_id)
    mentions = session.execute(
        select(Mention.actor_id, Mention.start_offset, Mention.end_offset, Mention.text)
        .where(Mention.source_id == source.id)
        .order_by(Mention.start_offset)
    ).all()
    names = dict(
        session.execute(
            select(Actor.id, Actor.name).where(Actor.id.in_({m.actor_id for m in mentions}))
        )
        .tuples()
        .all()
    )
    per_actor = Counter(names[m.actor_id] for m in mentions)
    found = [Found(m.actor_id, m.start_offset, m.end_offset, m.text) for m in mentions]
    unknown = AliasMatcher.from_database(session).candidates(source.text, found)
    return {
        "source_id": source.id,
        "title": source.title,
        "outlet": source.outlet,
        "url": source.url,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "published_basis": source.published_basis,
        "duplicate_of": source.duplicate_of,
        "similarity": source.similarity,
        "split_from": source.split_from,
        "rewrites": _ids(session, Source.duplicate_of == source.id),
        "split_off": _ids(session, Source.split_from == source.id),
        "stances": session.scalar(
            select(func.count()).select_from(Stance).where(Stance.source_id == source.id)
        ),
        "notes": list(source.ingest_log.get("notes", [])),
        "dropped": list(source.ingest_log.get("dropped", [])),
        "actors_mentioned": [{"actor": a, "count": n} for a, n in per_actor.most_common()],
        "mentions": [
            {
                "actor": names[m.actor_id],
                "text": m.text,
                "start": m.start_offset,
                "end": m.end_offset,
            }
            for m in mentions
        ],
        "unknown_names": [
            {"name": c.name, "count": c.count, "closest_alias": c.closest_alias, "score": c.score}
            for c in unknown
        ],
        "text": source.text,
    }


def _ids(session: Session, condition: Any) -> list[int]:
    return list(session.scalars(select(Source.id).where(condition).order_by(Source.id)))


SOURCE_COLUMNS = (
    "source_id",
    "title",
    "outlet",
    "url",
    "published_on",
    "published_basis",
    "duplicate_of",
    "similarity",
    "split_from",
    "ingested_at",
    "text",
)


def iter_source_records(session: Session, *, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every source as a flat record, streamed in id order (flat memory on big databases)."""
    query = select(
        Source.id.label("source_id"),
        Source.title,
        Source.outlet,
        Source.url,
        Source.published_on,
        Source.published_basis,
        Source.duplicate_of,
        Source.similarity,
        Source.split_from,
        Source.ingested_at,
        Source.text,
    ).order_by(Source.id)
    for row in session.execute(query, execution_options={"yield_per": batch}):
        record = dict(row._mapping)
        for key in ("published_on", "ingested_at"):
            record[key] = record[key].isoformat() if record[key] else None
        yield record
