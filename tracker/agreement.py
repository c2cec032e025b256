"""Agreement between analysts who coded the same sources (double coding).

A unit is an actor, an issue and a story (a source and its rewrites count once): the
question "what position does this story give this actor on this issue?". Each analyst who
recorded a stance for a unit (the name on its 'create' event; suggestions are not coders)
gives it a value: their position, or the rounded mean of theirs when they recorded
several. Per issue, Krippendorff's alpha (ordinal: -2..+2 is a scale) over every unit two
or more analysts coded; per pair of analysts, Cohen's kappa over the units both coded. A
unit only one analyst coded says nothing about agreement and is left out.

Disagreements (units whose analysts gave different values) can be settled by a reviewer:
one stance is accepted, the others rejected, and the history keeps them all.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import krippendorff
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.access import require
from tracker.errors import TrackerError
from tracker.models import (
    POSITIONS,
    Actor,
    Issue,
    Role,
    Source,
    Stance,
    StanceOrigin,
)
from tracker.stances import get_stance, recorded_by_each, review_stance

Unit = tuple[int, int, int]  # actor_id, issue_id, story
_CHUNK = 1000


@dataclass
class Coding:
    stance_id: int
    coder: str
    position: int
    status: str
    version: int
    quote: str


@dataclass
class UnitCodings:
    actor: str
    issue: str
    story: int
    by_coder: dict[str, list[Coding]] = field(default_factory=dict)

    def value(self, coder: str) -> int:
        positions = [c.position for c in self.by_coder[coder]]
        return int(round(sum(positions) / len(positions)))

    @property
    def agreed(self) -> bool:
        return len({self.value(c) for c in self.by_coder}) == 1

    @property
    def settled(self) -> bool:
        """Whether the stances still standing (not rejected) agree: after adjudication,
        or when the analysts agreed in the first place."""
        standing = {
            c.position for cs in self.by_coder.values() for c in cs if c.status != "rejected"
        }
        return len(standing) <= 1


@dataclass(frozen=True)
class IssueAgreement:
    issue: str
    units: int  # coded by two analysts or more
    coders: int
    alpha: float | None  # None when it cannot be computed (see note)
    note: str = ""


@dataclass(frozen=True)
class PairAgreement:
    first: str
    second: str
    units: int  # coded by both
    agreed: int
    kappa: float | None
    note: str = ""


@dataclass
class Agreement:
    issues: list[IssueAgreement]
    pairs: list[PairAgreement]
    disagreements: list[UnitCodings]  # not settled yet


def double_coded(session: Session, issue: str | None = None) -> list[UnitCodings]:
    """Every unit two or more analysts coded, with each analyst's stances."""
    story = func.coalesce(Source.duplicate_of, Source.id)
    query = (
        select(
            Stance.id,
            Stance.actor_id,
            Actor.name,
            Issue.slug,
            Stance.issue_id,
            story,
            Stance.position,
            Stance.status,
            Stance.version,
            Stance.quote,
        )
        .join(Source, Source.id == Stance.source_id)
        .join(Actor, Actor.id == Stance.actor_id)
        .join(Issue, Issue.id == Stance.issue_id)
        .where(Stance.origin != StanceOrigin.SUGGESTION.value)
        .order_by(Stance.id)
    )
    if issue:
        query = query.where(Issue.slug == issue)
    rows = session.execute(query).all()
    coders: dict[int, str] = {}
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), _CHUNK):
        coders.update(recorded_by_each(session, ids[start : start + _CHUNK]))
    units: dict[Unit, UnitCodings] = {}
    for sid, actor_id, actor, slug, issue_id, story_id, position, status, version, quote in rows:
        coder = (coders.get(sid) or "").strip().casefold()
        if not coder:
            continue
        unit = units.setdefault((actor_id, issue_id, story_id), UnitCodings(actor, slug, story_id))
        unit.by_coder.setdefault(coder, []).append(
            Coding(sid, coder, position, status, version, quote)
        )
    return [u for u in units.values() if len(u.by_coder) >= 2]


def measure(session: Session, issue: str | None = None) -> Agreement:
    """Alpha per issue, kappa per pair of analysts (over every analyst's own coding, settled
    or not), and the units they disagree on that no reviewer has settled yet."""
    units = double_coded(session, issue)
    by_issue: dict[str, list[UnitCodings]] = defaultdict(list)
    for unit in units:
        by_issue[unit.issue].append(unit)
    issues = [_issue_alpha(slug, by_issue[slug]) for slug in sorted(by_issue)]
    names = sorted({c for u in units for c in u.by_coder})
    pairs = [_pair_kappa(a, b, units) for a, b in itertools.combinations(names, 2)]
    return Agreement(
        issues,
        [p for p in pairs if p.units],
        [u for u in units if not u.agreed and not u.settled],
    )


def _issue_alpha(slug: str, units: Sequence[UnitCodings]) -> IssueAgreement:
    coders = sorted({c for u in units for c in u.by_coder})
    data = np.full((len(coders), len(units)), np.nan)
    for j, unit in enumerate(units):
        for coder in unit.by_coder:
            data[coders.index(coder), j] = unit.value(coder)
    values = {v for v in data.flatten() if not math.isnan(v)}
    if len(values) < 2:
        return IssueAgreement(slug, len(units), len(coders), None, "every coding has one value")
    alpha = krippendorff.alpha(
        reliability_data=data, level_of_measurement="ordinal", value_domain=list(POSITIONS)
    )
    return IssueAgreement(slug, len(units), len(coders), round(float(alpha), 3))


def cohen_kappa(first: Sequence[int], second: Sequence[int]) -> float | None:
    """Cohen's kappa of two equally long sequences of labels; None when chance agreement
    is total (both always gave the same one value)."""
    n = len(first)
    if n == 0 or n != len(second):
        raise TrackerError("kappa needs two codings of the same units")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    counts_a, counts_b = Counter(first), Counter(second)
    expected = sum(counts_a[v] * counts_b[v] for v in counts_a) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def _pair_kappa(first: str, second: str, units: Sequence[UnitCodings]) -> PairAgreement:
    shared = [u for u in units if first in u.by_coder and second in u.by_coder]
    a = [u.value(first) for u in shared]
    b = [u.value(second) for u in shared]
    if not shared:
        return PairAgreement(first, second, 0, 0, None, "no unit coded by both")
    kappa = cohen_kappa(a, b)
    agreed = sum(x == y for x, y in zip(a, b, strict=True))
    note = "" if kappa is not None else "both always gave one and the same value"
    return PairAgreement(
        first, second, len(shared), agreed, None if kappa is None else round(kappa, 3), note
    )


def settle(session: Session, stance_ids: Sequence[int], keep: int, *, annotator: str) -> None:
    """Adjudicate a disagreement: accept ``keep``, reject the unit's other stances. Each
    change is an 'accept' or 'reject' event, so both originals stay in the history."""
    require(session, Role.REVIEWER, "settle disagreements")
    if keep not in stance_ids:
        raise TrackerError(f"stance #{keep} is not one of the disagreeing stances")
    stances = [get_stance(session, sid) for sid in dict.fromkeys(stance_ids)]
    if len({(s.actor_id, s.issue_id) for s in stances}) != 1:
        raise TrackerError("only stances of one actor on one issue can be settled together")
    for stance in stances:
        wanted = "accepted" if stance.id == keep else "rejected"
        if stance.status != wanted:
            review_stance(
                session,
                stance.id,
                accept=stance.id == keep,
                annotator=annotator,
                expected_version=stance.version,
            )
