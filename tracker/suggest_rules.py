"""Cues and issue profiles for stance suggestions: what marks support or opposition, what
marks speech, and which issue a clause is about, read from the taxonomy in the database.

Issues are never named here. Each issue's profile is built from its name, keywords, the
examples in its description ("e.g. Donbas, Crimea"), the "Supporting means ...; opposing
means ..." sentences and its scale labels, so a taxonomy on another negotiation works
without code changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.models import Issue

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

STOPWORDS = frozenset(
    "a an the of to in on for and or with by as at from that this is are was be been it its "
    "their his her any e g eg whether should must would could may can will means mean "
    "supporting opposing support oppose part deal about some before after alone".split()
)
# Negation and refusal: flip what follows, and mark a clause as opposing.
NEGATIONS = frozenset(
    "not no never nothing cannot can't won't wouldn't don't doesn't didn't isn't aren't "
    "wasn't shouldn't mustn't n't without neither nor stop halt end".split()
)
# Cues, in plain English (matched on stems, so "rules out" finds "ruled out"), with their
# strength: 2 = outright, 1 = leaning.
_OPPOSE = {
    "ruled out": 2, "rejected": 2, "refused": 2, "opposed": 2, "against": 1, "will not": 2,
    "would not": 2, "cannot": 2, "no right": 2, "never": 2, "not under discussion": 2,
    "off the table": 2, "dismissed": 1, "unacceptable": 2,
    "impossible": 2, "threats": 1, "existential threats": 2, "difficult": 1, "sceptical": 1,
    "skeptical": 1, "warned against": 2, "red line": 2, "objected": 1, "veto": 2,
    "condemned": 2, "blocked": 1, "not": 1, "no": 1, "nothing to do with": 1,
    "give up hopes": 2, "abandon": 2, "dropped": 1, "denied": 1, "resisted": 1,
    "not changing": 2, "all but rejected": 2, "isn't": 1, "aren't": 1, "wasn't": 1,
    "doesn't": 1, "don't": 1, "didn't": 1, "won't": 2, "can't": 2, "turned down": 2,
}  # fmt: skip
_SUPPORT = {
    "support": 1, "backed": 1, "urged": 2, "insisted": 2, "pushed for": 2, "pressed for": 2,
    "called for": 2, "wants": 1, "needs": 1, "must": 2, "should": 1, "ready to": 2,
    "willing to": 1, "welcomed": 1, "endorsed": 2, "hailed": 2, "favours": 1, "favors": 1,
    "pursuit of": 1, "demanded": 2, "seeks": 1, "sought": 1, "pledged": 2, "promised": 1,
    "agreed to": 2, "open to": 1, "voiced support": 2, "expressed support": 2,
    "expressed his support": 2, "expressed her support": 2, "committed": 1,
    "strategic objective": 2, "objective": 1, "goal": 1, "priority": 1, "step forward": 2,
    "robust": 2, "strong": 2, "credible": 2, "real": 1, "guarantee": 1, "provide": 1,
    "liked": 1, "prefers": 1, "proposed": 1, "offered": 1, "agreed": 1, "accepted": 1,
    "necessary": 2, "essential": 2, "prerequisite": 2, "share": 1,
}  # fmt: skip
# Verbs that report speech or a stated position: "X said", "said X", "X urged".
_SPEECH = (
    "said says told tells added adding saying stressed insisted urged warned argued "
    "repeated reiterated reaffirmed declared announced confirmed emphasised emphasized "
    "explained wrote posted echoed hailed voiced called demanded pushed pressed signalled "
    "suggested claimed believes wants ruled rejected opposed backed supported endorsed "
    "welcomed proposed agreed refused dismissed vowed pledged promised offered sought seeks "
    "thanked acknowledged indicated continued"
)
# Third-person pronouns that stand for the last person named in the paragraph.
PERSON_PRONOUNS = frozenset("he she".split())
# "the source", "one official": speakers who are not actors; never a stance holder.
ANONYMOUS = frozenset(
    "source sources official officials people person diplomat diplomats analyst analysts "
    "insider insiders aide aides expert experts observer observers".split()
)


def stem(word: str) -> str:
    """A crude suffix stripper: 'continues'/'continued' → 'continu', 'troops' → 'troop'."""
    w = word.casefold().replace("’", "'")
    w = w.removesuffix("'s").removesuffix("'")
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def stems(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(text)]


OPPOSE_CUES = {" ".join(stems(cue)): (cue, strength) for cue, strength in _OPPOSE.items()}
SUPPORT_CUES = {" ".join(stems(cue)): (cue, strength) for cue, strength in _SUPPORT.items()}
SPEECH = frozenset(stems(_SPEECH))
NEGATION_STEMS = frozenset(stem(w) for w in NEGATIONS)


def _content(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit()))


def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the words that carry meaning: stopwords are dropped before stemming."""
    return tuple(
        stem(w)
        for w in WORD.findall(text)
        if w.casefold() not in STOPWORDS and (len(w) > 1 or w.isdigit())
    )


@dataclass(frozen=True)
class Phrase:
    """A keyword, name or label phrase of an issue, as content stems."""

    text: str
    stems: tuple[str, ...]
    sign: int  # keywords: +1 names the supported side, -1 the opposed side; labels: -2..2
    negated: bool = False  # the phrase itself holds a negation ("borders must not change")


@dataclass(frozen=True)
class IssueProfile:
    issue_id: int
    slug: str
    keywords: tuple[Phrase, ...]
    labels: tuple[Phrase, ...]


# Words of labels that say "for" or "against" in general ("Supports ...", "Rejects ..."):
# such labels are left to the cues; labels in the issue's own words are matched whole.
_GENERIC_LABEL_WORDS = frozenset(
    stems(
        "supports opposes rejects backs leans sceptical skeptical reluctant conditional "
        "strongly neutral ambiguous open"
    )
)


def _sides(issue: Issue) -> tuple[set[str], set[str]]:
    """Stems of what supporting and opposing mean, from the description and the labels,
    minus the issue's name (it names the question, not a side). Words under a negation
    in an opposing text ("no change of borders") are dropped: they name what the side
    refuses, not what it stands for."""
    support: set[str] = set()
    oppose: set[str] = set()
    description = issue.description or ""
    for match in re.finditer(r"\b(support|oppos)\w*\s+means?\s+([^;.]+)", description, re.I):
        target = support if match.group(1).casefold() == "support" else oppose
        target.update(_before_negation(match.group(2)))
    for position in (1, 2):
        support.update(_before_negation(issue.label(position)))
    for position in (-1, -2):
        oppose.update(_before_negation(issue.label(position)))
    topic = set(content_stems(issue.name))
    return support - topic, oppose - topic


def _before_negation(text: str) -> list[str]:
    kept: list[str] = []
    for piece in re.split(r"[;,()]", text):
        for word in WORD.findall(piece):
            if word.casefold() in NEGATIONS or stem(word) in ("sceptical", "skeptical"):
                break
            kept.append(word)
    return list(content_stems(" ".join(kept)))


def _split_phrases(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;/()]|,\s| or | e\.g\.", text) if p.strip()]


def build_profile(issue: Issue) -> IssueProfile:
    support, oppose = _sides(issue)
    texts = list(issue.keywords or [])
    texts += _split_phrases(issue.name)
    examples = re.search(r"\((?:e\.g\.|eg|such as)\s*([^)]*)\)", issue.description or "")
    if examples:
        texts += [t.strip() for t in examples.group(1).split(",")]
    keywords: dict[tuple[str, ...], Phrase] = {}
    for text in texts:
        content = content_stems(text)
        if not content:
            continue
        against = len([w for w in content if w in oppose and w not in support])
        towards = len([w for w in content if w in support and w not in oppose])
        sign = -1 if against > towards else 1
        if sign < 0 and any(stem(w) in NEGATION_STEMS for w in WORD.findall(text)):
            sign = 1  # "stop the fighting" names the ceasefire side
        keywords.setdefault(content, Phrase(text, content, sign))
    labels: list[Phrase] = []
    for position in (-2, -1, 1, 2):
        for text in _split_phrases(issue.label(position)):
            content = tuple(w for w in content_stems(text) if w not in NEGATION_STEMS)
            if len(content) >= 2 and not _GENERIC_LABEL_WORDS & set(content):
                negated = any(w.casefold() in NEGATIONS for w in WORD.findall(text))
                labels.append(Phrase(text, content, position, negated))
    return IssueProfile(issue.id, issue.slug, tuple(keywords.values()), tuple(labels))


@dataclass(frozen=True)
class IssueHit:
    profile: IssueProfile
    phrase: Phrase
    at: int  # index of the first matched word in the clause
    end: int  # index of the last


def find_issues(words: Sequence[str], profiles: Sequence[IssueProfile]) -> list[IssueHit]:
    """Issues a clause is about: a keyword whose content words all occur close together
    (in any order, within a few words). The longest keyword per issue wins."""
    where: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        where.setdefault(word, []).append(index)
    hits: list[IssueHit] = []
    for profile in profiles:
        best: IssueHit | None = None
        for phrase in profile.keywords:
            if best is not None and len(phrase.stems) <= len(best.phrase.stems):
                continue
            span = _near(phrase.stems, where)
            if span is not None:
                best = IssueHit(profile, phrase, span[0], span[1])
        if best is not None:
            hits.append(best)
    return sorted(hits, key=lambda h: h.at)


def _near(needed: Sequence[str], where: dict[str, list[int]]) -> tuple[int, int] | None:
    if any(w not in where for w in needed):
        return None
    reach = len(needed) + 3
    for first in where[needed[0]]:
        span = [first]
        for word in needed[1:]:
            close = [i for i in where[word] if abs(i - first) <= reach]
            if not close:
                break
            span.append(min(close, key=lambda i: abs(i - first)))
        else:
            return min(span), max(span)
    return None


@dataclass(frozen=True)
class Polarity:
    position: int  # -2..2, never 0
    cue: str  # the words that decided it, for the explanation
    basis: str  # "label", "cue", or "statement"


def label_polarity(words: Sequence[str], profile: IssueProfile) -> Polarity | None:
    """A clause that says what a scale label says ("borders must not be changed" for
    "borders must not change"): three quarters of the label's words, and a negation
    exactly when the label has one."""
    present = set(words)
    negated = any(w in NEGATION_STEMS for w in words)
    best: tuple[float, Phrase] | None = None
    for label in profile.labels:
        share = sum(w in present for w in label.stems) / len(label.stems)
        if share >= 0.75 and label.negated == negated and (best is None or share > best[0]):
            best = (share, label)
    if best is None:
        return None
    return Polarity(best[1].sign, f"matches the label '{best[1].text}'", "label")


def cue_polarity(words: Sequence[str], hit: IssueHit) -> Polarity | None:
    """The support or opposition cue nearest the issue's keyword, turned by a negation
    just before it ("does not support") and by the keyword's side (opposing "the
    fighting continues" supports nothing)."""
    keyword = set(hit.phrase.stems)
    best: tuple[int, int, str, int, int] | None = None  # distance, -strength, cue, value, at
    for index, word in enumerate(words):
        for parts, cue, value in _CUES_BY_FIRST.get(word, ()):
            if list(words[index : index + len(parts)]) != list(parts) or set(parts) <= keyword:
                continue  # not this cue, or the keyword's own word ("guarantees")
            distance = max(hit.at - (index + len(parts) - 1), index - hit.end, 0)
            candidate = (distance, -abs(value), cue, value, index)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None:
        return None
    _, _, cue, value, at = best
    if value > 0 and any(w in NEGATION_STEMS for w in words[max(0, at - 3) : at]):
        value, cue = -value, f"not … {cue}"
    return Polarity(value * hit.phrase.sign, cue, "cue")


def _index_cues() -> dict[str, list[tuple[tuple[str, ...], str, int]]]:
    by_first: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for cues, sign in ((OPPOSE_CUES, -1), (SUPPORT_CUES, 1)):
        for key, (cue, strength) in cues.items():
            parts = tuple(key.split())
            by_first.setdefault(parts[0], []).append((parts, cue, sign * strength))
    return by_first


_CUES_BY_FIRST = _index_cues()
