"""The LSH bands of the recent sources' signatures in memory.

Rewrites are searched among the ``rewrites.REWRITE_WINDOW`` most recent sources only, so
their bands fit in a matrix: comparing a new signature with it gives each source's count
of shared bands in a fraction of the time of indexed lookups (a ``source_band`` table of
64 rows per source was once looked up 64 times per article, and filled as often).

A band is ``dedup.ROWS`` = 2 little-endian uint32 slots, i.e. one little-endian uint64 of
the signature: two sources share a band exactly when those 64-bit values are equal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tracker import dedup

# The signature as one uint64 per band relies on these: a change to dedup's parameters
# must change this module too.
assert dedup.ROWS * 4 == 8 and dedup.BANDS * dedup.ROWS == dedup.NUM_PERM
_BAND = np.dtype("<u8")
_SPARE = 1024  # rows beyond the window before the stale ones are dropped


def bands(signature: bytes) -> npt.NDArray[np.uint64]:
    """The signature's ``dedup.BANDS`` bands, one uint64 each."""
    return np.frombuffer(signature, dtype=_BAND)


class BandIndex:
    """Source ids and bands of signatures added in id order (mostly), searchable by id range.

    Rows older than ``window`` ids behind the newest are dropped when space runs out; the
    search filters by id, so what is dropped and when never changes an answer.
    """

    def __init__(self, window: int) -> None:
        self._window = window
        self._ids: npt.NDArray[np.int64] = np.empty(window + _SPARE, dtype=np.int64)
        self._bands: npt.NDArray[np.uint64] = np.empty(
            (window + _SPARE, dedup.BANDS), dtype=np.uint64
        )
        self._count = 0
        self._pending = 0  # the newest rows, until keep() or forget()

    def __len__(self) -> int:
        return self._count

    def add(self, source_id: int, signature: bytes) -> None:
        """A source's bands. A featureless signature has none: featureless texts would all
        share its bands and be candidates for each other."""
        if signature == dedup.EMPTY_SIGNATURE:
            return
        if self._count == len(self._ids):
            self._drop_stale()
        self._ids[self._count] = source_id
        self._bands[self._count] = bands(signature)
        self._count += 1
        self._pending += 1

    def keep(self) -> None:
        """The rows added since the last call stay (their input was stored)."""
        self._pending = 0

    def forget(self) -> None:
        """Take back the rows added since :meth:`keep` (their input was rolled back)."""
        self._count -= self._pending
        self._pending = 0

    def shared(
        self, signature: bytes, after: int, exclude: int, limit: int
    ) -> list[tuple[int, int]]:
        """(source id, bands shared) of the ``limit`` rows with ``after < id`` (id not
        ``exclude``) sharing the most bands with ``signature``, ties to the lowest id, as
        the database query ranks them."""
        if self._count == 0 or signature == dedup.EMPTY_SIGNATURE:
            return []
        ids = self._ids[: self._count]
        equal = self._bands[: self._count] == bands(signature)
        counts = equal.view(np.uint8).sum(axis=1, dtype=np.int64)  # 1.5x count_nonzero's speed
        hit = np.flatnonzero((counts > 0) & (ids > after) & (ids != exclude))
        if hit.size > limit:
            # Articles on the same talks share a band with a third of the window: rank by
            # one key (fewer shared bands sort later, then higher ids) and keep the best.
            key = (dedup.BANDS - counts[hit]) << np.int64(40) | ids[hit]
            hit = hit[np.argpartition(key, limit - 1)[:limit]]
        return list(zip(ids[hit].tolist(), counts[hit].tolist(), strict=True))

    def _drop_stale(self) -> None:
        ids = self._ids[: self._count]
        live = ids > ids.max() - self._window
        if self._pending:
            live[-self._pending :] = True  # forget() takes back the newest rows
        n = int(np.count_nonzero(live))
        if n == self._count:  # nothing stale (ids out of order): make room instead
            self._ids = np.concatenate([self._ids, np.empty_like(self._ids)])
            self._bands = np.concatenate([self._bands, np.empty_like(self._bands)])
            return
        self._ids[:n] = ids[live]
        self._bands[:n] = self._bands[: self._count][live]
        self._count = n
