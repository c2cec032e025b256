"""Stance suggestions: read a source, propose who took which position on which issue,
with the sentence that shows it, and save the proposals for review.

Rule-based and explainable: each suggestion's note says which cue decided the position,
how the actor was attributed, which taxonomy phrase named the issue and how the date was
found. Suggestions are ordinary stances (status ``suggested``, origin ``suggestion``)
saved through :func:`tracker.stances.record_stance`; a passage that already carries a
stance for the same actor and issue (an analyst's, an import's or an earlier
suggestion, even rejected) is never suggested again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access import require
from tracker.errors import TrackerError
from tracker.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Attribution,
    Issue,
    Role,
    Source,
    Stance,
    StanceOrigin,
    StanceStatus,
)
from tracker.stances import record_stance
from tracker.suggest_attribution import (
    Holder,
    Item,
    anonymous_speech,
    embedded_holder,
    initial_holder,
    possessive_holders,
    speech_holder,
)
from tracker.suggest_rules import (
    NEGATION_STEMS,
    IssueHit,
    IssueProfile,
    Polarity,
    build_profile,
    cue_polarity,
    find_issues,
    label_polarity,
    stem,
)
from tracker.suggest_text import (
    CONDITIONS,
    Span,
    clauses,
    paragraphs,
    quotations,
    sentences,
    stated_date,
)

SUGGESTER = "suggester (rules)"
# Words and the punctuation attribution needs: commas, spaced dashes, possessive 's.
_TOKEN = re.compile(r"[^\W_]+(?:['’]t\b)?|['’]s\b|[,:;]|(?<=\s)[-–—](?=\s)|—")
_ALIAS_TOKEN = re.compile(r"\w+")
_SHORT_ACRONYM = 4
_BACK_REFERENCES = frozenset("that this it those".split())
_FORWARD_REFERENCES = frozenset("those these they it this that".split())
# A view held before ("previously backed") has no date the text gives.
_PAST = frozenset("previously formerly once".split())
# A clause with no cue is read as the speaker's own statement only when the speaker is
# well attributed (a quotation's attribution, the subject of "said").
_STATEMENT_WEIGHT = 0.75


@dataclass(frozen=True)
class Suggestion:
    """A proposed stance, before it is saved."""

    actor_id: int
    issue_id: int
    position: int
    stated_on: dt.date
    quote: str
    quote_start: int
    confidence: float
    note: str
    attribution: str = Attribution.PARAPHRASE.value
    reported_by_id: int | None = None


class ActorFinder:
    """Known actors named in a text; where aliases overlap ("the Ukrainian president" in
    "the Ukrainian president's office") the longest one wins."""

    def __init__(self, aliases: Iterable[tuple[str, int]]) -> None:
        self._by_key: dict[str, tuple[int, str | None]] = {}
        self._first: set[str] = set()
        self._longest = 1
        for alias, actor_id in aliases:
            words = _ALIAS_TOKEN.findall(alias.casefold())
            if not words:
                continue
            short = alias.isupper() and len(alias) <= _SHORT_ACRONYM
            self._by_key[" ".join(words)] = (actor_id, alias if short else None)
            self._first.add(words[0])
            self._longest = max(self._longest, len(words))

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, actor id) of each mention, in text order, never overlapping."""
        tokens = [(m.start(), m.end(), m.group().casefold()) for m in _ALIAS_TOKEN.finditer(text)]
        candidates: list[tuple[int, int, int]] = []
        for i, (start, _, word) in enumerate(tokens):
            if word not in self._first:
                continue
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                hit = self._by_key.get(" ".join(t[2] for t in tokens[i : i + n]))
                end = tokens[i + n - 1][1]
                if hit is not None and (hit[1] is None or text[start:end] == hit[1]):
                    candidates.append((start, end, hit[0]))
                    break
        chosen: list[tuple[int, int, int]] = []
        for cand in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if all(cand[1] <= s or e <= cand[0] for s, e, _ in chosen):
                chosen.append(cand)
        return sorted(chosen)


@dataclass
class Taxonomy:
    """What a run reads from the database once: actors, their names, the issue profiles."""

    finder: ActorFinder
    kinds: dict[int, str]
    names: dict[int, str]
    profiles: list[IssueProfile]
    issues: dict[int, Issue] = field(default_factory=dict)

    @classmethod
    def from_database(cls, session: Session) -> Taxonomy:
        aliases = session.execute(select(ActorAlias.alias, ActorAlias.actor_id)).tuples().all()
        actors = session.execute(select(Actor.id, Actor.kind, Actor.name)).tuples().all()
        issues = list(session.scalars(select(Issue).order_by(Issue.id)))
        return cls(
            ActorFinder(aliases),
            {a: kind for a, kind, _ in actors},
            {a: name for a, _, name in actors},
            [build_profile(issue) for issue in issues],
            {issue.id: issue for issue in issues},
        )


@dataclass
class _Sentence:
    span: Span
    items: list[Item]
    words: list[tuple[int, str]]  # (offset, stem) of every word, mentions included
    hits: list[IssueHit] = field(default_factory=list)


def suggest_text(text: str, published: dt.date, taxonomy: Taxonomy) -> list[Suggestion]:
    """The stances a text suggests; pure (no database), so benchmarks can time it alone."""
    mentions = taxonomy.finder.find(text)
    found: dict[tuple[int, int, int], Suggestion] = {}
    for paragraph in paragraphs(text):
        inside = [m for m in mentions if paragraph.start <= m[0] < paragraph.end]
        persons = [(s, a) for s, _, a in inside if taxonomy.kinds.get(a) == ActorKind.PERSON]
        sents = [_read(text, span, inside, taxonomy) for span in sentences(text, paragraph)]
        quoted = _quote_holders(text, paragraph, sents, persons)
        for index in range(len(sents)):
            for suggestion in _sentence_suggestions(
                text, sents, index, quoted, persons, published, taxonomy
            ):
                found[(suggestion.actor_id, suggestion.issue_id, suggestion.quote_start)] = (
                    suggestion
                )
    return list(found.values())


def _read(
    text: str, span: Span, mentions: Sequence[tuple[int, int, int]], tax: Taxonomy
) -> _Sentence:
    items: list[Item] = []
    words: list[tuple[int, str]] = []
    here = [m for m in mentions if span.start <= m[0] < span.end]
    m = 0
    for token in _TOKEN.finditer(text, span.start, span.end):
        raw = token.group().casefold().replace("’", "'")
        word = stem(raw) if raw[0].isalnum() else ""
        if word:
            words.append((token.start(), word))
        while m < len(here) and here[m][1] <= token.start():
            m += 1
        if m < len(here) and here[m][0] <= token.start() < here[m][1]:
            if not items or items[-1].start != here[m][0]:
                items.append(
                    Item(here[m][0], here[m][1], "", tax.names[here[m][2]].casefold(), here[m][2])
                )
            continue
        items.append(Item(token.start(), token.end(), word, raw))
    sentence = _Sentence(span, items, words)
    sentence.hits = find_issues([w for _, w in words], tax.profiles)
    return sentence


def _last_person(persons: Sequence[tuple[int, int]], before: int) -> int | None:
    last = None
    for start, actor in persons:
        if start >= before:
            break
        last = actor
    return last


def _quote_holders(
    text: str, paragraph: Span, sents: list[_Sentence], persons: Sequence[tuple[int, int]]
) -> list[tuple[Span, Holder]]:
    """Each quotation with its speaker: the attribution after it ("…,” Mr Macron said"),
    else the speaker of the quotation before it in the paragraph (a quote that goes on)."""
    result: list[tuple[Span, Holder]] = []
    previous: Holder | None = None
    for quote in quotations(text, paragraph):
        holder = None
        for sentence in sents:
            if sentence.span.start <= quote.end < sentence.span.end + 1:
                tail = [i for i in sentence.items if i.start > quote.end]
                found, _ = speech_holder(tail, _last_person(persons, quote.end))
                if found is not None:
                    unnamed = found.attribution == Attribution.ANONYMOUS_SOURCE
                    holder = Holder(
                        found.actors,
                        f"speaker of the quotation ({found.how})",
                        found.weight if unnamed else 0.85,
                        # '"…," a source in the office said': quoted, but not on record
                        found.attribution if unnamed else Attribution.ON_RECORD.value,
                    )
        if holder is None and previous is not None:
            holder = Holder(
                previous.actors,
                "quotation that continues the speaker's",
                0.6,
                Attribution.ON_RECORD.value,
            )
        if holder is not None:
            result.append((quote, holder))
            previous = holder
    return result


def _holders(
    items: list[Item],
    span: Span,
    quoted: Sequence[tuple[Span, Holder]],
    persons: Sequence[tuple[int, int]],
) -> tuple[list[Holder], bool]:
    """Who holds the view of a clause; the flag says it was said (speech, quotation),
    which lets a clause without a cue count as the speaker's statement."""
    for quote, holder in quoted:
        if quote.start - 1 <= span.start < quote.end:
            return [holder], True
    last = _last_person(persons, span.start + 1)
    found, said = _unquoted_holders(items, last, persons, span)
    if anonymous_speech(
        items, span.text, span.start
    ):  # "..., four of the people said": they told the reporter
        found = [
            h if h.attribution == Attribution.REPORTED_BY_OTHER else
            replace(h, attribution=Attribution.ANONYMOUS_SOURCE.value)
            for h in found
        ]  # fmt: skip
    return found, said


def _unquoted_holders(
    items: list[Item], last: int | None, persons: Sequence[tuple[int, int]], span: Span
) -> tuple[list[Holder], bool]:
    extra = possessive_holders(items)
    embedded = embedded_holder(items, last)
    if embedded is not None:
        return [embedded, *extra], True
    spoken, _ = speech_holder(items, _last_person(persons, span.end))
    if spoken is not None:
        return [spoken, *extra], True
    initial = initial_holder(items, last)
    return ([initial] if initial else []) + extra, bool(extra)


def _sentence_suggestions(
    text: str,
    sents: list[_Sentence],
    index: int,
    quoted: Sequence[tuple[Span, Holder]],
    persons: Sequence[tuple[int, int]],
    published: dt.date,
    tax: Taxonomy,
) -> list[Suggestion]:
    sentence = sents[index]
    stated_on, date_how = stated_date(sentence.span.text, published)
    result: list[Suggestion] = []
    inherited: tuple[list[Holder], bool] = ([], False)
    for clause in clauses(text, sentence.span):
        items = [i for i in sentence.items if clause.start <= i.start < clause.end]
        words = [w for at, w in sentence.words if clause.start <= at < clause.end]
        holders, said = _holders(items, clause, quoted, persons)
        if not holders:
            holders, said = inherited
        inherited = (holders, said)
        if not holders or clause.text.casefold().startswith(CONDITIONS):
            continue
        if _PAST & {i.raw for i in items}:
            continue
        hits, how_issue = find_issues(words, tax.profiles), "keyword"
        if not hits:
            hits, how_issue = _referred_issues(sents, index, items)
        for hit in hits:
            strong = said and max(h.weight for h in holders) >= _STATEMENT_WEIGHT
            polarity = _polarity(words, hit, strong)
            if polarity is None:
                continue
            for holder in holders:
                for actor in holder.actors:
                    attribution, reporter = holder.attribution, holder.reporter
                    if reporter == actor:  # "Zelensky said that he and Merz ..."
                        attribution, reporter = Attribution.PARAPHRASE.value, None
                    result.append(
                        Suggestion(
                            actor_id=actor,
                            issue_id=hit.profile.issue_id,
                            position=polarity.position,
                            stated_on=stated_on,
                            quote=sentence.span.text,
                            quote_start=sentence.span.start,
                            confidence=_confidence(holder, polarity, how_issue),
                            note=_explain(polarity, holder, hit, how_issue, date_how),
                            attribution=attribution,
                            reported_by_id=reporter,
                        )
                    )
    return result


def _referred_issues(
    sents: list[_Sentence], index: int, items: list[Item]
) -> tuple[list[IssueHit], str]:
    """A clause that names no issue but points at one: "expressed his support for that"
    (the sentence before), "rejected Putin's proposals. Those included ..." (the next)."""
    raws = [i.raw for i in items]
    if index > 0 and sents[index - 1].hits and _BACK_REFERENCES & set(raws[-3:]):
        return sents[index - 1].hits[:1], "referred to in the sentence before"
    if index + 1 < len(sents) and sents[index + 1].hits:
        first = sents[index + 1].items[:1]
        if first and first[0].raw in _FORWARD_REFERENCES:
            return sents[index + 1].hits[:1], "spelled out in the sentence after"
    return [], ""


def _polarity(words: list[str], hit: IssueHit, said: bool) -> Polarity | None:
    found = label_polarity(words, hit.profile) or cue_polarity(words, hit)
    if found is None and said and not NEGATION_STEMS & set(words):
        found = Polarity(hit.phrase.sign, "stated, no cue either way", "statement")
    if found is None or found.position == 0:
        return None
    return found


def _confidence(holder: Holder, polarity: Polarity, how_issue: str) -> float:
    strength = {"label": 0.95, "cue": 0.85 if abs(polarity.position) == 2 else 0.75}
    value = holder.weight * strength.get(polarity.basis, 0.5)
    if how_issue != "keyword":
        value *= 0.8
    return round(min(max(value, 0.05), 0.95), 2)


def _explain(polarity: Polarity, holder: Holder, hit: IssueHit, how_issue: str, date: str) -> str:
    side = "supports" if polarity.position > 0 else "opposes"
    issue = f"'{hit.phrase.text}'" + ("" if how_issue == "keyword" else f" ({how_issue})")
    return (
        f"suggested: cue '{polarity.cue}' ({side}); actor: {holder.how}; "
        f"issue: {issue}; date: {date}"
    )


# --- the service -------------------------------------------------------------------------


@dataclass
class SourceOutcome:
    source_id: int
    title: str
    created: list[Stance] = field(default_factory=list)
    existing: int = 0  # proposals whose passage already carries a stance
    skipped: str = ""  # why nothing was suggested for this source


def pick_sources(
    session: Session,
    *,
    source_ids: Sequence[int] = (),
    since: dt.date | None = None,
    every: bool = False,
) -> list[Source]:
    """The sources a run reads: the ids given (all must exist), else every source (or those
    published since a date) that is not a rewrite of another stored story."""
    if source_ids:
        found = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(source_ids)))}
        missing = [str(i) for i in source_ids if i not in found]
        if missing:
            raise TrackerError(f"no source with id {', '.join(missing)}")
        return [found[i] for i in dict.fromkeys(source_ids)]
    if not every and since is None:
        raise TrackerError("say which sources: --source ID, --all or --since DATE")
    query = select(Source).where(Source.duplicate_of.is_(None)).order_by(Source.id)
    if since is not None:
        query = query.where(Source.published_on >= since)
    return list(session.scalars(query))


def suggest_sources(
    session: Session, sources: Sequence[Source], taxonomy: Taxonomy | None = None
) -> list[SourceOutcome]:
    """Save the suggestions for each source, leaving every stored stance as it is."""
    require(session, Role.ANALYST, "suggest stances")
    taxonomy = taxonomy or Taxonomy.from_database(session)
    outcomes = []
    for source in sources:
        outcome = SourceOutcome(source.id, source.title)
        outcomes.append(outcome)
        if source.published_on is None:
            outcome.skipped = "no publication date: set one, then suggest again"
            continue
        stored = _stored_passages(session, source.id)
        for suggestion in suggest_text(source.text, source.published_on, taxonomy):
            end = suggestion.quote_start + len(suggestion.quote)
            key = (suggestion.actor_id, suggestion.issue_id)
            if any(s < end and suggestion.quote_start < e for s, e in stored.get(key, [])):
                outcome.existing += 1
                continue
            stance = record_stance(
                session,
                actor=session.get_one(Actor, suggestion.actor_id),
                issue=taxonomy.issues[suggestion.issue_id],
                source=source,
                position=suggestion.position,
                quote=suggestion.quote,
                quote_start=suggestion.quote_start,
                stated_on=suggestion.stated_on,
                confidence=suggestion.confidence,
                status=StanceStatus.SUGGESTED.value,
                origin=StanceOrigin.SUGGESTION.value,
                annotator=SUGGESTER,
                note=suggestion.note,
                attribution=suggestion.attribution,
                reported_by=(
                    session.get_one(Actor, suggestion.reported_by_id)
                    if suggestion.reported_by_id is not None
                    else None
                ),
            )
            stored.setdefault(key, []).append((stance.quote_start, stance.quote_end))
            outcome.created.append(stance)
    return outcomes


def _stored_passages(
    session: Session, source_id: int
) -> dict[tuple[int, int], list[tuple[int, int]]]:
    rows = session.execute(
        select(Stance.actor_id, Stance.issue_id, Stance.quote_start, Stance.quote_end).where(
            Stance.source_id == source_id
        )
    ).tuples()
    passages: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for actor, issue, start, end in rows:
        passages.setdefault((actor, issue), []).append((start, end))
    return passages
