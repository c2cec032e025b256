"""Linking a new source to an earlier rewrite of the same story (see tracker.dedup).

Candidates are the recent sources sharing an LSH band with the new one (a matrix
comparison of their bands, not all pairs of texts), ranked by their MinHash signatures; the
best few are verified on their bigrams. Only the REWRITE_WINDOW most recent sources are
searched, so their bands are held in memory (:class:`RecentStories`), read once per
ingestion call from the stored signatures (``source.minhash``). They were kept in a
``source_band`` table, 64 indexed rows per source for ever: inserting those was a fifth of
the time of ingesting an article, and looking them up more than that. The call's own
articles keep their bigrams too: reading texts back and tokenising them again was a third
of the ingestion time.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import dedup
from tracker.band_index import BandIndex
from tracker.models import Source
from tracker.sources import mark_duplicate

MAX_CANDIDATES = 20  # bucket-sharing sources whose signatures are compared, most shared first
VERIFY_AT_MOST = 5  # of those, how many are compared on their bigrams
# Only the 5,000 most recent sources are searched: rewrites of a story arrive within days of
# each other, and an archive-wide search would grow with every article on the same talks.
REWRITE_WINDOW = 5_000

Fingerprint = tuple[bytes, dedup.Comparable]


class RecentStories:
    """Signatures and bigrams of the sources stored earlier in one ingestion call, newest
    ``size`` kept (the window candidates come from), and their bands (:class:`BandIndex`).

    An input's entries stay pending until its savepoint is released (:meth:`keep`): the
    ids of a rolled-back input can be taken again by the next source, which must never be
    compared under the text that was not stored (:meth:`forget`). Source texts are never
    edited, so what was kept stays true for the life of the call.

    The bands cover the sources stored before the call's first one (:meth:`prime`, the
    window's worth), the call's own, and those other sessions stored meanwhile
    (:meth:`catch_up`, after each commit).
    """

    def __init__(self, size: int = REWRITE_WINDOW) -> None:
        self._size = size
        self._kept: OrderedDict[int, Fingerprint] = OrderedDict()
        self._pending: dict[int, Fingerprint] = {}
        self._bands = BandIndex(REWRITE_WINDOW)
        self.primed = False  # the stored sources' bands are in
        self._seen_to = 0  # every id up to this one is in the bands, or not a candidate
        self._mine: set[int] = set()  # ids stored since the last catch_up()

    def prime(self, session: Session, first: int) -> None:
        """Read the bands of the sources stored before ``first`` (the call's first new
        source) within the window: 5,000 signatures, ~5 MB, once per call."""
        rows = session.execute(
            select(Source.id, Source.minhash)
            .where(Source.id > first - REWRITE_WINDOW, Source.id < first)
            .order_by(Source.id)
        ).tuples()
        for source_id, signature in rows:
            if signature is not None:
                self._bands.add(source_id, signature)
        self._bands.keep()
        self._seen_to = first - 1
        self.primed = True

    def remember(self, source_id: int, fingerprint: Fingerprint) -> None:
        self._pending[source_id] = fingerprint
        self._bands.add(source_id, fingerprint[0])

    def keep(self) -> None:
        for source_id, fingerprint in self._pending.items():
            self._kept[source_id] = fingerprint
            self._kept.move_to_end(source_id)
            self._mine.add(source_id)
        self._pending.clear()
        self._bands.keep()
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def forget(self) -> None:
        self._pending.clear()
        self._bands.forget()

    def get(self, source_id: int) -> Fingerprint | None:
        return self._kept.get(source_id) or self._pending.get(source_id)

    def shared_bands(
        self, signature: bytes, after: int, exclude: int, limit: int
    ) -> list[tuple[int, int]]:
        """(id, bands shared) of the ``limit`` best sources in memory with ``after < id``."""
        return self._bands.shared(signature, after, exclude, limit)

    def catch_up(self, session: Session) -> None:
        """Add the bands of sources that other sessions stored since the call began.

        Called between transactions: on SQLite no other writer can store anything while
        ours is open (BEGIN IMMEDIATE); on PostgreSQL a source committed by another
        session during one batch is a candidate from the next batch on."""
        if not self.primed:
            return
        ids = session.scalars(
            select(Source.id).where(Source.id > self._seen_to, Source.minhash.is_not(None))
        ).all()
        others = [source_id for source_id in ids if source_id not in self._mine]
        if others:
            rows = session.execute(
                select(Source.id, Source.minhash).where(Source.id.in_(others)).order_by(Source.id)
            ).tuples()
            for source_id, signature in rows:
                if signature is not None:
                    self._bands.add(source_id, signature)
        self._seen_to = max([self._seen_to, *ids])
        self._bands.keep()
        self._mine.clear()


def link_rewrite(
    session: Session,
    source: Source,
    recent: RecentStories | None = None,
    fingerprint: Fingerprint | None = None,
) -> tuple[Source | None, float]:
    """Store the source's MinHash; link it to an earlier rewrite of the same story.

    ``fingerprint``: ``dedup.fingerprint(source.text)`` when the caller has it already.
    Returns the source linked with (the new source's original, or an older source now
    under it) and the similarity, ``(None, best score below the threshold)`` otherwise.
    """
    if fingerprint is None:
        fingerprint = dedup.fingerprint(source.text)
    signature, mine = fingerprint
    if source.minhash != signature:
        source.minhash = signature
    session.flush()  # the source's id, and its signature stored for later calls
    recent = recent if recent is not None else RecentStories()
    if not recent.primed:
        recent.prime(session, source.id)
    recent.remember(source.id, fingerprint)
    if signature == dedup.EMPTY_SIGNATURE:
        return None, 0.0  # featureless: no bands, a candidate for nothing
    since = source.id - REWRITE_WINDOW
    # Ranked as the query on stored buckets ranked them: most shared bands, then oldest.
    shared = recent.shared_bands(signature, since, source.id, MAX_CANDIDATES + 1)
    ranked = sorted(shared, key=lambda row: (-row[1], row[0]))[: MAX_CANDIDATES + 1]
    candidates = [sid for sid, _ in ranked if sid != source.id]
    best: tuple[int | None, float] = (None, 0.0)
    for candidate_id, theirs in _worth_comparing(session, candidates, signature, recent):
        is_dup, score = mine.is_duplicate(theirs)
        if is_dup and score > best[1]:
            best = (candidate_id, score)
    original = session.get(Source, best[0]) if best[0] is not None else None
    if original is not None:
        _link(session, source, original, round(min(max(best[1], 0.0), 1.0), 4))
    return original, best[1]


def _worth_comparing(
    session: Session, ids: list[int], signature: bytes, recent: RecentStories
) -> list[tuple[int, dedup.Comparable]]:
    """Candidates whose signatures look like a rewrite, best first, with their bigrams.

    Same-talks articles share buckets often; only signatures above the candidate
    threshold earn a comparison of bigrams, and at most VERIFY_AT_MOST of them.
    Recent sources come from ``recent``; older ones are read from the database.
    """
    if not ids:
        return []
    known = {sid: fp for sid in ids if (fp := recent.get(sid)) is not None}
    signatures = {sid: fp[0] for sid, fp in known.items()}
    missing = [sid for sid in ids if sid not in known]
    if missing:
        rows = session.execute(select(Source.id, Source.minhash).where(Source.id.in_(missing)))
        signatures.update((sid, sig) for sid, sig in rows.tuples() if sig)
    ranked = sorted(
        ((dedup.estimated_similarity(signature, sig), sid) for sid, sig in signatures.items()),
        reverse=True,
    )
    chosen = [
        sid for estimate, sid in ranked[:VERIFY_AT_MOST] if estimate >= dedup.CANDIDATE_THRESHOLD
    ]
    to_read = [sid for sid in chosen if sid not in known]
    bigrams = {sid: known[sid][1] for sid in chosen if sid in known}
    if to_read:
        texts = session.execute(select(Source.id, Source.text).where(Source.id.in_(to_read)))
        bigrams.update((sid, dedup.Comparable(text)) for sid, text in texts.tuples())
    return [(sid, bigrams[sid]) for sid in chosen]


def _link(session: Session, new: Source, match: Source, score: float) -> None:
    """Link two versions of a story so that the original is the root, whatever came first.

    The original is the earlier publication; on the same day, the longer text (rewrites
    condense). When the new source is the original, the old story's group moves under it.
    """
    root = session.get(Source, match.duplicate_of) if match.duplicate_of else match
    assert root is not None
    if _originality(new) < _originality(root):
        for member in session.scalars(select(Source).where(Source.duplicate_of == root.id)):
            member.duplicate_of = new.id
        root.duplicate_of, root.similarity = new.id, score
        session.flush()
    else:
        mark_duplicate(session, new, root)
        new.similarity = score


def _originality(source: Source) -> tuple[dt.date, int]:
    return (source.published_on or dt.date.max, -len(source.text))
