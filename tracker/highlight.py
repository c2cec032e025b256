"""Marking up a source for reading and tagging: known actors and existing stances.

The result is a list of plain segments (text plus what covers it); the dashboard turns
them into escaped HTML, so nothing from the source can ever run as markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tracker.blinding import visible_conditions
from tracker.corroboration import corroboration
from tracker.evidence import evidence_fields
from tracker.models import Actor, Issue, Mention, Stance
from tracker.sources import get_source
from tracker.text import signed


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    stance_id: int | None = None  # None for an actor mention


@dataclass(frozen=True)
class Segment:
    text: str
    start: int
    mentions: tuple[str, ...] = ()
    stances: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut ``text`` at every span edge; each piece lists the mentions and stances over it."""
    edges = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces: list[Segment] = []
    for start, end in zip(edges, edges[1:], strict=False):
        if start >= end or start >= len(text):
            continue
        over = [s for s in spans if s.start <= start and s.end >= end]
        mentions = tuple(s.label for s in over if s.stance_id is None)
        stances = tuple(s.stance_id for s in over if s.stance_id is not None)
        labels = tuple(s.label for s in over if s.stance_id is not None)
        if pieces and (pieces[-1].mentions, pieces[-1].stances) == (mentions, stances):
            last = pieces[-1]
            pieces[-1] = Segment(last.text + text[start:end], last.start, mentions, stances, labels)
        else:
            pieces.append(Segment(text[start:end], start, mentions, stances, labels))
    return pieces


def tagging_view(session: Session, source_id: int) -> dict[str, Any]:
    """A source's text, its actor mentions and the stances the session's principal may see
    on it (on a source in double coding, an analyst sees only their own)."""
    source = get_source(session, source_id)
    mentions = session.execute(
        select(Mention.start_offset, Mention.end_offset, Actor.name)
        .join(Actor, Actor.id == Mention.actor_id)
        .where(Mention.source_id == source.id)
    ).all()
    reporter = aliased(Actor)
    stances = session.execute(
        select(Stance, Actor.name, Issue.slug, Issue, reporter.name, corroboration())
        .join(Actor, Actor.id == Stance.actor_id)
        .join(Issue, Issue.id == Stance.issue_id)
        .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        .where(Stance.source_id == source.id, *visible_conditions(session))
        .order_by(Stance.quote_start, Stance.id)
    ).all()
    spans = [Span(start, end, name) for start, end, name in mentions]
    rows = []
    for stance, actor, slug, issue, reported_by, corroborated in stances:
        label = f"#{stance.id} {actor} on {slug}: {signed(stance.position)} ({stance.status})"
        spans.append(Span(stance.quote_start, stance.quote_end, label, stance.id))
        rows.append(
            {
                "stance_id": stance.id,
                "actor": actor,
                "issue": slug,
                "position": stance.position,
                "label": issue.label(stance.position),
                "stated_on": stance.stated_on,
                "confidence": stance.confidence,
                "status": stance.status,
                "quote": stance.quote,
                "note": stance.note,
                "annotator": stance.annotator,
                "version": stance.version,
                **evidence_fields(stance, reported_by, int(corroborated)),
            }
        )
    return {
        "source_id": source.id,
        "title": source.title,
        "outlet": source.outlet,
        "published_on": source.published_on,
        "text": source.text,
        "segments": segments(source.text, spans),
        "stances": rows,
    }


_QUOTE_CLASSES = {
    "'": "['‘’`]",
    "‘": "['‘’`]",
    "’": "['‘’`]",
    '"': '["“”]',
    "“": '["“”]',
    "”": '["“”]',
    "-": "[-‐–—]",
    "–": "[-‐–—]",
    "—": "[-‐–—]",
}


def find_passage(text: str, typed: str, *, limit: int = 20) -> list[tuple[int, int]]:
    """Where a typed or pasted passage stands in ``text``: (start, end) of each occurrence.

    Exact matches first; failing that, the same words with any spacing or line breaks
    and either kind of quote marks or dashes (what copying from a browser changes).
    The offsets always span the source's own characters, so the stored quote is exact.
    """
    found = _occurrences(text, typed, limit)
    if found:
        return found
    # Accented letters pasted as a letter and a combining mark (macOS, some PDFs: NFD)
    # where the text has one code point (NFC), or the reverse: the same words.
    for form in ("NFC", "NFD"):
        normal = unicodedata.normalize(form, typed)
        if normal != typed and (found := _occurrences(text, normal, limit)):
            return found
    return []


def _occurrences(text: str, typed: str, limit: int) -> list[tuple[int, int]]:
    typed = typed.strip()
    if not typed:
        return []
    exact: list[tuple[int, int]] = []
    start = text.find(typed)
    while start >= 0 and len(exact) < limit:
        exact.append((start, start + len(typed)))
        start = text.find(typed, start + 1)
    if exact:
        return exact
    pattern = "".join(
        r"\s+" if ch.isspace() else _QUOTE_CLASSES.get(ch, re.escape(ch))
        for ch in " ".join(typed.split())
    )
    return [m.span() for m in re.finditer(pattern, text)][:limit]
