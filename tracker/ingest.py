"""Ingestion: files, folders and pasted text in; clean, dated, de-duplicated sources out.

Each input is stored inside its own savepoint, so a bad or failing input leaves no
rows behind while the other inputs of the same call still go in. Inputs are read
one at a time and committed in batches, so memory stays flat on large folders.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker import dedup
from tracker.access import Principal, attach, require
from tracker.db import session_factory
from tracker.errors import TrackerError
from tracker.extract import MAX_BYTES, SUPPORTED, Extracted, extract
from tracker.mentions import AliasMatcher, record_mentions
from tracker.models import Role, Source
from tracker.rewrites import RecentStories, link_rewrite
from tracker.sources import (
    DuplicateSourceError,
    add_source,
    check_link,
    find_by_text,
)
from tracker.suggest import Taxonomy, suggest_sources

# Inputs per transaction (each in its own savepoint inside it). A commit writes every
# index page the batch touched, and the LSH bands touch ~64 random pages per article:
# 500 rather than 100 inputs halved the commit time per article on SQLite, while another
# writer waits at most a few seconds for the lock (the busy timeout is 30 s).
COMMIT_EVERY = 500


@dataclass
class Overrides:
    """What the analyst states about an input; it beats anything found in the page."""

    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published_on: dt.date | None = None
    kind: str | None = None  # "text", "markdown" or "html"; otherwise from the file name


@dataclass
class IngestResult:
    input: str
    status: str  # "added", "duplicate" (same text already stored) or "refused"
    message: str
    source_id: int | None = None
    title: str = ""
    published_on: dt.date | None = None
    published_basis: str = ""
    duplicate_of: int | None = None
    similarity: float | None = None
    related_ids: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    mentions: int = 0
    candidates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggested: int = 0  # stances proposed for the review queue (ingesting with suggestions)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["published_on"] = self.published_on.isoformat() if self.published_on else None
        return data


@dataclass(frozen=True)
class Input:
    """One thing to ingest: a name for messages and a way to read its bytes."""

    name: str
    read: Callable[[], bytes]


def expand_inputs(paths: Iterable[str]) -> tuple[list[Input], list[IngestResult]]:
    """Files, folders (recursively, supported extensions only) and ``-`` for stdin.

    Returns the inputs and the paths refused while listing them (missing, or a folder
    with nothing to read), as results like those of ingesting.
    """
    inputs: list[Input] = []
    refused: list[IngestResult] = []
    for raw in paths:
        if raw == "-":
            inputs.append(Input("<stdin>", _read_stdin))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                message = f"no {', '.join(SUPPORTED)} files in this folder"
                refused.append(IngestResult(raw, "refused", message))
            inputs += [Input(str(p), _file_reader(p)) for p in found]
        elif path.exists():
            inputs.append(Input(raw, _file_reader(path)))
        else:
            refused.append(IngestResult(raw, "refused", "no such file or folder"))
    return inputs, refused


def _read_stdin() -> bytes:
    return sys.stdin.buffer.read(MAX_BYTES + 1)


def _file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise TrackerError(
                    f"{path} is {size / 2**20:.1f} MiB; the limit is {MAX_BYTES / 2**20:.0f} MiB"
                )
            with path.open("rb") as handle:
                # One byte over the limit is enough for extract() to refuse what grew since
                # stat() or has no size to stat (a pipe).
                return handle.read(MAX_BYTES + 1)
        except PermissionError:
            raise TrackerError(f"{path}: permission denied") from None
        except OSError as exc:
            raise TrackerError(f"{path}: cannot read ({exc.strerror})") from None

    return read


class Ingestor:
    """Stores sources with everything the rest of the tracker relies on."""

    def __init__(self, session: Session, *, suggest: bool = False) -> None:
        require(session, Role.ANALYST, "add sources")
        self.matcher = AliasMatcher.from_database(session)
        # Suggestions read the taxonomy once per batch, like the matcher the aliases.
        self.taxonomy = Taxonomy.from_database(session) if suggest else None
        self.recent = RecentStories()

    def ingest(
        self, session: Session, item: Input, overrides: Overrides | None = None
    ) -> IngestResult:
        overrides = overrides or Overrides()
        try:
            extracted = extract(item.name, item.read(), kind=overrides.kind)
            _apply(extracted, overrides)
            try:
                with session.begin_nested():  # a failure below leaves no partial rows
                    result = self._store(session, item.name, extracted)
            except BaseException:
                self.recent.forget()
                raise
            self.recent.keep()
            return result
        except DuplicateSourceError as exc:
            return IngestResult(
                item.name,
                "duplicate",
                str(exc),
                source_id=exc.existing.id,
                title=exc.existing.title,
            )
        except TrackerError as exc:
            # The message may begin with the input's name, shown beside it already.
            return IngestResult(item.name, "refused", str(exc).removeprefix(f"{item.name}: "))
        except Exception as exc:
            # An unexpected failure (a reader, the extractor, a bug) costs this input only:
            # its savepoint is rolled back and the other inputs still go in.
            reason = (str(exc).strip().splitlines() or [""])[0]
            what = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
            return IngestResult(item.name, "refused", f"not stored: {what}")

    def _store(self, session: Session, name: str, extracted: Extracted) -> IngestResult:
        fingerprint = dedup.fingerprint(extracted.text)
        source = add_source(
            session,
            extracted.text,
            title=extracted.title,
            outlet=extracted.outlet,
            url=extracted.url,
            published_on=extracted.published_on,
            # Set before the INSERT: an UPDATE right after it was a second flush per article.
            published_basis=extracted.published_basis[:300],
            ingest_log={"input": name, "notes": extracted.notes, "dropped": extracted.dropped},
            minhash=fingerprint[0],
        )
        original, score = link_rewrite(session, source, self.recent, fingerprint)
        found = record_mentions(session, source, self.matcher, new=True)
        related_ids = [self._store_related(session, source, story) for story in extracted.related]
        candidates = self.matcher.candidates(source.text, found)
        session.flush()
        message = f"stored as source {source.id}"
        if original is not None and source.duplicate_of is not None:
            message += f", a rewrite of source {source.duplicate_of} (similarity {score:.2f})"
        elif original is not None:
            message += (
                f"; source {original.id} is a rewrite of this story (similarity {score:.2f}) "
                "and is now linked to it"
            )
        if related_ids:
            message += f"; {len(related_ids)} trailing stories split off as separate sources"
        suggested = self._suggest(session, source)
        if suggested:
            message += f"; {suggested} stance(s) suggested for the review queue"
        return IngestResult(
            name,
            "added",
            message,
            source_id=source.id,
            title=source.title,
            published_on=source.published_on,
            published_basis=source.published_basis,
            duplicate_of=source.duplicate_of,
            similarity=source.similarity,
            related_ids=related_ids,
            dropped=extracted.dropped,
            mentions=len(found),
            candidates=[c.name for c in candidates],
            notes=extracted.notes,
            suggested=suggested,
        )

    def _suggest(self, session: Session, source: Source) -> int:
        """Suggested stances for a new story (not for a rewrite of a stored one, whose
        stances would count once anyway); trailing stories are separate sources."""
        if self.taxonomy is None or source.duplicate_of is not None:
            return 0
        outcomes = suggest_sources(session, [source], self.taxonomy)
        return sum(len(o.created) for o in outcomes)

    def _store_related(self, session: Session, main: Source, story: Any) -> int:
        """A story printed below the article: its own source, never part of the main one."""
        existing = find_by_text(session, story.text)
        if existing is not None:  # the same "related" teaser appears under many pages
            return existing.id
        fingerprint = dedup.fingerprint(story.text)
        related = add_source(
            session,
            story.text,
            title=story.title,
            outlet=story.outlet,
            split_from=main.id,
            ingest_log={"input": f"split from source {main.id}"},
            minhash=fingerprint[0],
        )
        link_rewrite(session, related, self.recent, fingerprint)
        record_mentions(session, related, self.matcher, new=True)
        return related.id


def _apply(extracted: Extracted, overrides: Overrides) -> None:
    if overrides.title:
        extracted.title = overrides.title
    if overrides.outlet:
        extracted.outlet = overrides.outlet
    if overrides.url:
        extracted.url = overrides.url  # checked by add_source: a bad one refuses the input
    elif extracted.url:
        try:
            check_link(extracted.url)
        except TrackerError as exc:
            # The page's own metadata, not the analyst's word: keep the article, drop the link.
            extracted.notes.append(f"link from the page metadata not kept: {exc}")
            extracted.url = ""
    if overrides.published_on:
        extracted.published_on = overrides.published_on
        extracted.published_basis = "given by the analyst"


def ingest_inputs(
    engine: Engine,
    inputs: Iterable[Input],
    overrides: Overrides | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    *,
    suggest: bool = False,
    principal: Principal | None = None,
) -> list[IngestResult]:
    """Ingest every input, committing in batches; returns one result per input. With
    ``suggest``, each new story also gets suggested stances (``tracker suggest``).
    ``principal``: who adds them (see tracker.access); without one, the command line."""
    results: list[IngestResult] = []
    factory = session_factory(engine)
    session = factory()
    if principal is not None:
        attach(session, principal)
    try:
        ingestor = Ingestor(session, suggest=suggest)
        for count, item in enumerate(inputs, start=1):
            result = ingestor.ingest(session, item, overrides)
            results.append(result)
            if on_result is not None:
                on_result(result)
            if count % COMMIT_EVERY == 0:
                session.commit()
                session.expunge_all()  # keep memory flat on big folders
                ingestor.recent.catch_up(session)
        session.commit()
    finally:
        session.close()
    return results


def rescan_mentions(
    engine: Engine, on_progress: Callable[[int], None] | None = None, batch: int = 500
) -> tuple[int, int]:
    """Find actor mentions again in every source, after actors or aliases changed.

    Returns (sources scanned, mentions found). Works in batches so memory stays flat.
    """
    factory = session_factory(engine)
    scanned = mentions = 0
    last_id = 0
    while True:
        with factory.begin() as session:
            matcher = AliasMatcher.from_database(session)
            rows = session.scalars(
                select(Source).where(Source.id > last_id).order_by(Source.id).limit(batch)
            ).all()
            if not rows:
                return scanned, mentions
            for source in rows:
                mentions += len(record_mentions(session, source, matcher))
            last_id = rows[-1].id
            scanned += len(rows)
        if on_progress is not None:
            on_progress(len(rows))
