"""Finding actors in a text: known names with their offsets, and unknown names to review.

Matching works on word tokens, so "U.S." matches the alias "U.S.", "Zelenskiy's"
matches "Zelenskiy", and "Kyivstar" does not match "Kyiv". Short all-capital aliases
(US, UK, EU) must match their case exactly: "us" in "us Europeans" is not the USA.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import cast

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from tracker.models import ActorAlias, Mention, Source

_TOKEN = re.compile(r"\w+")
# Capitalised words, allowing joiners inside a name: "Bashar al-Assad", "Ursula von der Leyen".
_NAME = re.compile(
    r"\b[A-Z][\w'’-]*(?:[ \t]+(?:(?:al|bin|de|der|van|von|la|le|du|da|di|of|the)[ \t]+)*"
    r"[A-Z][\w'’-]*)+"
)
# Capitalised words that are not names in themselves.
_NOT_NAMES = frozenset(
    "the a an and but or if in on at by for from to of with as this that these those it he she "
    "they we i his her their its our while when after before during since monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december jan feb mar apr jun jul aug sep sept oct nov "
    "dec mr mrs ms dr president prime minister chancellor secretary general".split()
)
SHORT_ACRONYM = 4
CANDIDATE_SCORE = 85.0
_CLOSEST_CACHE = 50_000


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


@dataclass(frozen=True)
class Found:
    actor_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Candidate:
    """A name in the text that matches no actor; ``closest`` is a likely alias, if any."""

    name: str
    count: int
    first_offset: int
    closest_alias: str | None
    closest_actor_id: int | None
    score: float


class _Node:
    __slots__ = ("children", "hit")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.hit: tuple[int, str | None] | None = None  # actor id, exact spelling required


class AliasMatcher:
    """Every alias of every actor, ready to scan texts. Build once per batch of sources."""

    def __init__(self, aliases: Iterable[tuple[str, int]]) -> None:
        # The aliases as a trie of casefolded words: from a word of the text, one dict
        # lookup per following word finds every alias starting there ("the" starts dozens
        # of aliases and is in every sentence: joining 1..6 words at each was slow).
        self._trie: dict[str, _Node] = {}
        self._names: dict[str, int] = {}
        for alias, actor_id in aliases:
            key = _key(alias)
            if not key:
                continue
            exact = alias if alias.isupper() and len(alias) <= SHORT_ACRONYM else None
            level, node = self._trie, None
            for word in key.split(" "):
                node = level.setdefault(word, _Node())
                level = node.children
            assert node is not None
            node.hit = (actor_id, exact)  # a later alias with the same key wins, as before
            self._names[alias] = actor_id
        self._aliases = list(self._names)
        self._processed = [default_process(alias) for alias in self._aliases]
        self._closest_cache: dict[str, tuple[str | None, float]] = {}

    @classmethod
    def from_database(cls, session: Session) -> AliasMatcher:
        return cls(session.execute(select(ActorAlias.alias, ActorAlias.actor_id)).tuples())

    def find(self, text: str) -> list[Found]:
        """Known actors named in ``text``, longest alias first, no overlaps."""
        matches = list(_TOKEN.finditer(text))
        # One casefold() for the whole text instead of one per token: tokens hold no
        # spaces, and casefolding never makes one, so splitting gives one word per token.
        words = " ".join(_TOKEN.findall(text)).casefold().split(" ") if matches else []
        trie = self._trie
        found: list[Found] = []
        skip_to = 0
        for i in [i for i, word in enumerate(words) if word in trie]:
            if i < skip_to:  # inside an alias found just before
                continue
            ends: list[tuple[int, tuple[int, str | None]]] = []  # aliases starting at i
            node: _Node | None = trie[words[i]]
            j = i
            while node is not None:
                if node.hit is not None:
                    ends.append((j, node.hit))
                j += 1
                node = node.children.get(words[j]) if j < len(words) else None
            for j, (actor_id, exact) in reversed(ends):  # the longest that fits
                start, end = matches[i].start(), matches[j].end()
                if exact is not None and text[start:end] != exact:
                    continue
                found.append(Found(actor_id, start, end, text[start:end]))
                skip_to = j + 1
                break
        return found

    def candidates(self, text: str, known: Sequence[Found]) -> list[Candidate]:
        """Names that look like people or organisations but match no actor."""
        # A name overlaps a mention when one starting before the name ends, ends after the
        # name starts: a bisection over the sorted starts and the running maximum of ends,
        # not a loop over every mention for every name.
        covered = sorted((f.start, f.end) for f in known)
        starts = [s for s, _ in covered]
        reach = list(accumulate((e for _, e in covered), max))
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for match in _NAME.finditer(text):
            name = _trim(match.group())
            start = match.start()
            if len(name.split()) < 2:
                continue
            before = bisect_left(starts, start + len(name)) - 1
            if before >= 0 and reach[before] > start:
                continue
            counts[name] += 1
            first.setdefault(name, start)
        result = []
        for name, count in counts.items():
            alias, score = self._closest(name)
            near = alias if score >= CANDIDATE_SCORE else None
            result.append(
                Candidate(
                    name,
                    count,
                    first[name],
                    near,
                    self._names[near] if near else None,
                    round(score, 1),
                )
            )
        return sorted(result, key=lambda c: (-c.count, c.first_offset))

    def _closest(self, name: str) -> tuple[str | None, float]:
        """The alias nearest to ``name`` and its score, remembered: the same unknown names
        come back article after article, and each lookup scores every alias."""
        cached = self._closest_cache.get(name)
        if cached is None:
            # Plain edit-distance ratio: spelling variants score high, shared words do not.
            # The aliases were processed once (default_process: lower case, no punctuation),
            # as extractOne's processor= would do again for every alias on every call.
            best = process.extractOne(
                default_process(name), self._processed, scorer=fuzz.ratio, processor=None
            )
            cached = (self._aliases[best[2]], float(best[1])) if best else (None, 0.0)
            if len(self._closest_cache) >= _CLOSEST_CACHE:
                self._closest_cache.clear()  # bounded; refilled by the names still in use
            self._closest_cache[name] = cached
        return cached


def _trim(name: str) -> str:
    """Drop leading words that are capitalised only because they start a sentence."""
    words = name.split()
    while words and words[0].casefold().strip("'’") in _NOT_NAMES:
        words.pop(0)
    while words and words[-1].casefold() in _NOT_NAMES:
        words.pop()
    return " ".join(words).removesuffix("'s").removesuffix("’s")


_MENTIONS = cast(Table, Mention.__table__)
_DELETE_MENTIONS = delete(_MENTIONS).where(_MENTIONS.c.source_id == bindparam("source"))


@cache
def _insert_mention_sql(placeholder: str) -> str:
    values = ", ".join([placeholder] * 5)
    return (
        "INSERT INTO mention (source_id, actor_id, start_offset, end_offset, text) "
        f"VALUES ({values})"
    )


def record_mentions(
    session: Session, source: Source, matcher: AliasMatcher, *, new: bool = False
) -> list[Found]:
    """Replace the stored mentions of ``source`` with what ``matcher`` finds now.

    ``new``: the source was inserted in this transaction, so it has no mentions to delete.
    """
    found = matcher.find(source.text)
    session.flush()  # the source row first: mentions point at it
    # Statements on the session's connection (same transaction): the ORM's bulk paths
    # cost more than the statements themselves, and no Mention objects are loaded.
    connection = session.connection()
    if not new:
        connection.execute(_DELETE_MENTIONS, {"source": source.id})
    if found:
        # The driver's own executemany: plain ints and a str need no SQLAlchemy binding,
        # which cost as much per row as the INSERT (ingestion stores ~35 per article).
        placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            _insert_mention_sql(placeholder),
            [(source.id, f.actor_id, f.start, f.end, f.text[:200]) for f in found],
        )
    return found
