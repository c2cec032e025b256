"""Who holds the view a clause states: the speaker of a quotation, the subject of a speech
or stance verb, an actor named in a "that" clause, "Moscow's position", a pronoun for
the last person named in the paragraph.

Works on :class:`Item` sequences (words and actor mentions) built by :mod:`tracker.suggest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tracker.models import Attribution
from tracker.suggest_rules import ANONYMOUS, PERSON_PRONOUNS, SPEECH, stems


@dataclass(frozen=True)
class Item:
    """A word of a clause, or a known actor named there (``actor`` set, ``stem`` empty)."""

    start: int
    end: int
    stem: str
    raw: str  # lower-case surface form
    actor: int | None = None


@dataclass(frozen=True)
class Holder:
    actors: tuple[int, ...]
    how: str  # for the explanation: "subject of 'ruled out'", "speaker of the quotation"
    weight: float  # how much the attribution is trusted, 0..1
    # How the view reached the text (tracker.models.Attribution): the actor's own quoted
    # words, the writer's account of them, an unnamed source's, or another actor's.
    attribution: str = "paraphrase"
    reporter: int | None = None  # the actor who reported the view (reported_by_other)


# Words that may stand between a subject and its verb: "Zelensky afterward reaffirmed",
# "Trump has again pushed", "Russia is emphatically opposed".
_BETWEEN = frozenset(
    "has have had is are was were be been also again already afterward afterwards "
    "previously publicly repeatedly still firmly strongly emphatically would will could "
    "should may might did does do not never then later reportedly once later now "
    "clearly flatly categorically openly quickly".split()
)
_LEADING = frozenset("the a an mr mrs ms president chancellor minister".split())
_EMBEDDED_VERBS = frozenset(
    "support back oppos reject rul endors express voic want insist urg agre refus welcom "
    "propos favour demand push hail accept prefer pledg promis"
    .split()
)  # fmt: skip
# Only plain reporting verbs come before their speaker: "said a Downing Street spokesperson".
_INVERTED = frozenset("said says added wrote".split())
# "urged Trump to insist that Putin agree": a demand, not a report of Putin's view.
_DIRECTIVE = frozenset(stems("urged insisted demanded pushed pressed called asked"))
_DASHES = frozenset("- – —".split())
_POSITION_NOUNS = frozenset("position view stance demand insistence call".split())
_GOAL_NOUNS = frozenset("objectiv goal priority aim".split())


def group_before(items: Sequence[Item], index: int) -> tuple[int, ...]:
    """Actors of the mention group ending just before ``index`` ("Merz and Macron")."""
    return _group_before(items, index)[1]


def _group_before(items: Sequence[Item], index: int) -> tuple[int, tuple[int, ...]]:
    """Where the mention group ending just before ``index`` starts, and its actors."""
    actors: list[int] = []
    i = index - 1
    while i >= 0:
        item = items[i]
        if item.actor is not None:
            if i + 1 < len(items) and items[i + 1].raw in ("s", "'s", "’s"):
                break
            actors.append(item.actor)
        elif item.raw in ("and",) or item.stem in _LEADING:
            if item.raw == "and" and not actors:
                break
        else:
            break
        i -= 1
    return i + 1, tuple(dict.fromkeys(reversed(actors)))


# "a source in the ministry", "officials close to Vass", "people familiar with Kyiv's
# thinking": words between an unnamed speaker and the actor the speaker is placed in.
_PLACED = frozenset("in at from within inside close to near familiar with around".split())


def _unnamed_within(items: Sequence[Item], start: int) -> bool:
    """Whether the mention group starting at ``start`` only places an unnamed speaker
    ("a source in <the office> said"): the actor's view, through an anonymous source."""
    i = start - 1
    while i >= 0 and items[i].actor is None and items[i].raw in _PLACED:
        i -= 1
    return i < start - 1 and i >= 0 and items[i].actor is None and items[i].raw in ANONYMOUS


def group_after(items: Sequence[Item], index: int, reach: int = 4) -> tuple[int, ...]:
    """Actors named right after ``index``: "said a Downing Street spokesperson"."""
    actors: list[int] = []
    for item in items[index + 1 : index + 1 + reach]:
        if item.actor is not None:
            actors.append(item.actor)
        elif actors and item.raw != "and":
            break
    return tuple(dict.fromkeys(actors))


def _skip_back(items: Sequence[Item], index: int) -> int:
    """From a verb at ``index``, the position just after its subject."""
    i = index
    while i > 0 and items[i - 1].actor is None:
        if items[i - 1].raw in _BETWEEN:
            i -= 1
        elif items[i - 1].raw in _DASHES:  # "European leaders - who rushed ... - urged"
            opening = next((j for j in range(i - 2, -1, -1) if items[j].raw in _DASHES), None)
            if opening is None:
                break
            i = opening
        else:
            break
    return i


def speech_holder(items: Sequence[Item], last_person: int | None) -> tuple[Holder | None, bool]:
    """Subject (or inverted subject) of the first speech or stance verb that has one.
    The flag says a speech verb with an anonymous speaker was seen ("a source said")."""
    anonymous = False
    for index, item in enumerate(items):
        if item.actor is not None or item.stem not in SPEECH:
            continue
        verb = item.raw
        at = _skip_back(items, index)
        start, before = _group_before(items, at)
        if before and _unnamed_within(items, start):
            how = f"an unnamed source placed in it, subject of '{verb}'"
            return Holder(before, how, 0.7, Attribution.ANONYMOUS_SOURCE.value), True
        if before:
            return Holder(before, f"subject of '{verb}'", 0.8), anonymous
        if at > 0 and items[at - 1].raw in PERSON_PRONOUNS and last_person is not None:
            return Holder(
                (last_person,), f"'{items[at - 1].raw} {verb}' = last person named", 0.6
            ), anonymous
        after = group_after(items, index) if item.raw in _INVERTED else ()
        if after:
            return Holder(after, f"'{verb}' followed by the speaker", 0.75), anonymous
        if at > 0 and items[at - 1].raw in ANONYMOUS:
            anonymous = True
    return None, anonymous


def anonymous_speech(items: Sequence[Item], text: str, offset: int = 0) -> bool:
    """Whether an unnamed speaker says the clause: "four of the people said", "a German
    government source said" (an alias naming a source, not a spokesperson)."""
    for index, item in enumerate(items):
        if item.actor is None and item.stem in SPEECH:
            at = _skip_back(items, index)
            if at == 0:
                continue
            before = items[at - 1]
            words = text[before.start - offset : before.end - offset].casefold().split()
            if before.raw in ANONYMOUS or (
                before.actor is not None and words[-1:] and words[-1] in ANONYMOUS
            ):
                return True
    return False


def embedded_holder(items: Sequence[Item], last_person: int | None = None) -> Holder | None:
    """ "... that Trump expressed his support": the actor of a reported view, not the
    reporter (who is kept as such: "He added that ..." with he = the last person named)."""
    for index, item in enumerate(items):
        if item.raw != "that":
            continue
        at_verb = next((j for j in range(index - 1, -1, -1) if items[j].stem in SPEECH), None)
        verb = None if at_verb is None else items[at_verb]
        if verb is None or at_verb is None or verb.stem in _DIRECTIVE:
            continue
        j = index + 1
        while j < len(items) and items[j].actor is None and items[j].stem in _LEADING:
            j += 1
        k = j
        while k < len(items) and (items[k].actor is not None or items[k].raw == "and"):
            k += 1
        if k == j:
            continue
        v = k
        while v < len(items) and items[v].raw in _BETWEEN:
            v += 1
        if v < len(items) and items[v].stem in _EMBEDDED_VERBS:
            actors = tuple(dict.fromkeys(i.actor for i in items[j:k] if i.actor is not None))
            how = f"named before '{items[v].raw}' in a 'that' clause"
            return _reported(Holder(actors, how, 0.75), items, at_verb, last_person)
    return None


def _reported(holder: Holder, items: Sequence[Item], verb: int, last: int | None) -> Holder:
    """Who reported the view: the subject of the speech verb, an unnamed source, or the
    writer (a paraphrase)."""
    at = _skip_back(items, verb)
    subject = group_before(items, at)
    if not subject and at > 0 and items[at - 1].raw in PERSON_PRONOUNS:
        subject = (last,) if last is not None else ()
    if subject and subject[0] not in holder.actors:
        return replace(holder, attribution="reported_by_other", reporter=subject[0])
    if at > 0 and items[at - 1].raw in ANONYMOUS:
        return replace(holder, attribution="anonymous_source")
    return holder


def possessive_holders(items: Sequence[Item]) -> list[Holder]:
    """ "Moscow's position that ...", "a strategic objective for Kyiv"."""
    found: list[Holder] = []
    for index, item in enumerate(items):
        if item.actor is None:
            continue
        after = items[index + 1 : index + 3]
        if (
            len(after) == 2
            and after[0].raw in ("s", "'s", "’s")
            and after[1].stem in _POSITION_NOUNS
        ):
            found.append(Holder((item.actor,), f"'{after[1].raw}' of the actor", 0.75))
        before = items[max(0, index - 2) : index]
        if len(before) == 2 and before[0].stem in _GOAL_NOUNS and before[1].raw in ("for", "of"):
            found.append(Holder((item.actor,), f"'{before[0].raw} {before[1].raw}' the actor", 0.6))
    return found


def initial_holder(items: Sequence[Item], last_person: int | None) -> Holder | None:
    """The actor (or he/she) the clause starts with, after an opening phrase such as
    "A day before the virtual conference," and articles or titles."""
    start = 0
    comma = next((i for i, item in enumerate(items[:10]) if item.raw == ","), None)
    if comma is not None and all(i.actor is None for i in items[:comma]):
        start = comma + 1
    i = start
    while i < len(items) and items[i].actor is None and items[i].stem in _LEADING:
        i += 1
    if i >= len(items):
        return None
    if items[i].actor is None:
        if items[i].raw in PERSON_PRONOUNS and last_person is not None:
            return Holder((last_person,), f"'{items[i].raw}' = last person named", 0.55)
        return None
    k = i
    while k < len(items) and (items[k].actor is not None or items[k].raw == "and"):
        k += 1
    if k < len(items) and items[k].raw in ("s", "'s", "’s"):
        return None  # "Russia's invasion": not the subject
    actors = tuple(dict.fromkeys(x.actor for x in items[i:k] if x.actor is not None))
    return Holder(actors, "the actor the sentence starts with", 0.6)
