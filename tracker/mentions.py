"""Finding actors in a text: known names with their offsets, and unknown names to review.

Matching works on word tokens, so "U.S." matches the alias "U.S.", "Zelenskiy's"
matches "Zelenskiy", and "Kyivstar" does not match "Kyiv". Short all-capital aliases
(US, UK, EU) must match their case exactly: "us" in "us Europeans" is not the USA.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy import delete, insert, select
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


class AliasMatcher:
    """Every alias of every actor, ready to scan texts. Build once per batch of sources."""

    def __init__(self, aliases: Iterable[tuple[str, int]]) -> None:
        self._by_key: dict[str, tuple[int, str | None]] = {}
        self._first_tokens: set[str] = set()
        self._names: dict[str, int] = {}
        longest = 1
        for alias, actor_id in aliases:
            key = _key(alias)
            if not key:
                continue
            exact = alias if alias.isupper() and len(alias) <= SHORT_ACRONYM else None
            self._by_key[key] = (actor_id, exact)
            self._first_tokens.add(key.split(" ", 1)[0])
            self._names[alias] = actor_id
            longest = max(longest, key.count(" ") + 1)
        self._longest = longest

    @classmethod
    def from_database(cls, session: Session) -> AliasMatcher:
        return cls(session.execute(select(ActorAlias.alias, ActorAlias.actor_id)).tuples())

    def find(self, text: str) -> list[Found]:
        """Known actors named in ``text``, longest alias first, no overlaps."""
        tokens = [(m.start(), m.end(), m.group().casefold()) for m in _TOKEN.finditer(text)]
        found: list[Found] = []
        i = 0
        while i < len(tokens):
            if tokens[i][2] not in self._first_tokens:  # most words start no alias
                i += 1
                continue
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                key = " ".join(t[2] for t in tokens[i : i + n])
                hit = self._by_key.get(key)
                if hit is None:
                    continue
                start, end = tokens[i][0], tokens[i + n - 1][1]
                actor_id, exact = hit
                if exact is not None and text[start:end] != exact:
                    continue
                found.append(Found(actor_id, start, end, text[start:end]))
                i += n - 1
                break
            i += 1
        return found

    def candidates(self, text: str, known: Sequence[Found]) -> list[Candidate]:
        """Names that look like people or organisations but match no actor."""
        covered = [(f.start, f.end) for f in known]
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for match in _NAME.finditer(text):
            name = _trim(match.group())
            start = match.start()
            if len(name.split()) < 2 or any(
                s < start + len(name) and start < e for s, e in covered
            ):
                continue
            counts[name] += 1
            first.setdefault(name, start)
        result = []
        for name, count in counts.items():
            # Plain edit-distance ratio: spelling variants score high, shared words do not.
            best = process.extractOne(
                name, self._names.keys(), scorer=fuzz.ratio, processor=default_process
            )
            alias, score = (best[0], float(best[1])) if best else (None, 0.0)
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


def _trim(name: str) -> str:
    """Drop leading words that are capitalised only because they start a sentence."""
    words = name.split()
    while words and words[0].casefold().strip("'’") in _NOT_NAMES:
        words.pop(0)
    while words and words[-1].casefold() in _NOT_NAMES:
        words.pop()
    return " ".join(words).removesuffix("'s").removesuffix("’s")


def record_mentions(session: Session, source: Source, matcher: AliasMatcher) -> list[Found]:
    """Replace the stored mentions of ``source`` with what ``matcher`` finds now."""
    found = matcher.find(source.text)
    session.flush()  # the source row first: mentions point at it
    session.execute(delete(Mention).where(Mention.source_id == source.id))
    if found:  # one executemany, not an ORM object per mention
        session.execute(
            insert(Mention),
            [
                {
                    "source_id": source.id,
                    "actor_id": f.actor_id,
                    "start_offset": f.start,
                    "end_offset": f.end,
                    "text": f.text[:200],
                }
                for f in found
            ],
        )
    return found
