"""Agreement between analysts who coded the same sources (double coding).

Agreement is measured over the sources put into double coding (tracker.double_coding),
open or closed, and only over them: a unit is an actor, an issue and a story (a source and
its rewrites count once), the question "what position does this story give this actor on
this issue?". Each analyst who coded a unit (the stance's ``coder``: who recorded it;
suggestions are not coders) gives it a value: their position, or the rounded mean of
theirs when they recorded several. An analyst assigned to the source who recorded nothing
for a unit another analyst coded gives it the value "no stance": one saw a position where
the other saw none, which is a disagreement, not a gap.

Per issue, Krippendorff's alpha over every unit with two values or more: ordinal on the
-2..+2 scale; "no stance" is as far from every position as the two ends of the scale are
from each other (when no unit has a "no stance", this is plain ordinal alpha). Per pair of
analysts, Cohen's kappa over the units both gave a value, "no stance" being one more
category. A unit only one analyst coded, with no other analyst assigned, is left out.

Disagreements can be settled by a reviewer: one stance is accepted, the others rejected
(or all rejected: "no stance" was right), and the history keeps them all.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import krippendorff
import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.access import principal_of, require
from tracker.errors import TrackerError
from tracker.models import (
    POSITIONS,
    Actor,
    DoubleCoder,
    DoubleCoding,
    Issue,
    Role,
    Source,
    Stance,
    StanceAction,
    StanceEvent,
    StanceOrigin,
)
from tracker.stances import get_stance, review_stance

Unit = tuple[int, int, int]  # actor_id, issue_id, story
_CHUNK = 1000
# "No stance" in the reliability data: outside the scale, so never mistaken for a position.
NO_STANCE = 9


@dataclass(slots=True)
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
    # Analysts assigned to the source who recorded nothing for this unit: "no stance".
    missing: tuple[str, ...] = ()
    # A reviewer accepted or rejected one of its stances (how a unit with a "no stance"
    # is settled: its one side cannot disagree with itself).
    reviewed: bool = False

    # Read once the codings are all in (thousands of units are compared many times over).
    @cached_property
    def coders(self) -> list[str]:
        return sorted([*self.by_coder, *self.missing])

    @cached_property
    def _values(self) -> dict[str, int | None]:
        values: dict[str, int | None] = dict.fromkeys(self.missing)
        for coder, codings in self.by_coder.items():
            positions = [c.position for c in codings]
            values[coder] = int(round(sum(positions) / len(positions)))
        return values

    def value(self, coder: str) -> int | None:
        """The coder's position on the unit; None for "no stance"."""
        return self._values.get(coder)

    @cached_property
    def agreed(self) -> bool:
        return len(set(self._values.values())) == 1

    @property
    def settled(self) -> bool:
        """Whether the stances still standing (not rejected) agree: after adjudication,
        or when the analysts agreed in the first place. With a "no stance", only once a
        reviewer has accepted or rejected the stances."""
        if self.missing:
            return self.reviewed
        standing = {
            c.position for cs in self.by_coder.values() for c in cs if c.status != "rejected"
        }
        return len(standing) <= 1

    @property
    def stance_ids(self) -> list[int]:
        return [c.stance_id for coder in sorted(self.by_coder) for c in self.by_coder[coder]]


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


def double_coded(
    session: Session, issue: str | None = None, *, sources: Sequence[int] | None = None
) -> list[UnitCodings]:
    """Every unit of the double-coded sources (or of these ones) with two values or more:
    each analyst's stances, and the assigned analysts who recorded none."""
    story = func.coalesce(Source.duplicate_of, Source.id)
    wanted = select(DoubleCoding.source_id)
    if not principal_of(session).may(Role.REVIEWER):
        # Blind coding: an analyst sees the comparison only once a reviewer closed it.
        wanted = wanted.where(DoubleCoding.closed_at.is_not(None))
    if sources is not None:
        wanted = wanted.where(DoubleCoding.source_id.in_(list(sources)))
    query = (
        select(
            Stance.id,
            Stance.actor_id,
            Actor.name,
            Issue.slug,
            Stance.issue_id,
            story,
            Stance.source_id,
            Stance.coder,
            Stance.position,
            Stance.status,
            Stance.version,
            Stance.quote,
        )
        .join(Source, Source.id == Stance.source_id)
        .join(Actor, Actor.id == Stance.actor_id)
        .join(Issue, Issue.id == Stance.issue_id)
        # Only the double-coded sources' stances: an indexed read of a few sources, not a
        # scan of every stance to find the units two analysts happened to code.
        .where(
            Stance.source_id.in_(wanted),
            Stance.origin != StanceOrigin.SUGGESTION.value,
            Stance.coder != "",
        )
        .order_by(Stance.id)
    )
    if issue:
        query = query.where(Issue.slug == issue)
    # Plain rows through the connection: the ORM's per-row bookkeeping is most of the cost
    # on the thousands of stances a large double-coding round has.
    rows = session.connection().execute(query).all()
    assigned = _assigned(session, sorted({row[6] for row in rows}))
    units: dict[Unit, UnitCodings] = {}
    expected: dict[Unit, set[str]] = defaultdict(set)
    for sid, actor_id, actor, slug, issue_id, story_id, source_id, coder, *rest in rows:
        key = (actor_id, issue_id, story_id)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = UnitCodings(actor, slug, story_id)
        unit.by_coder.setdefault(coder, []).append(Coding(sid, coder, *rest))
        expected[key] |= assigned.get(source_id, set())
    for key, unit in units.items():
        unit.missing = tuple(sorted(expected[key] - unit.by_coder.keys()))
    found = [u for u in units.values() if len(u.coders) >= 2]
    _mark_reviewed(session, [u for u in found if u.missing and not u.agreed])
    return found


def _assigned(session: Session, source_ids: Sequence[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(source_ids), _CHUNK):
        chunk = list(source_ids[start : start + _CHUNK])
        for source_id, coder in session.execute(
            select(DoubleCoder.source_id, DoubleCoder.coder).where(DoubleCoder.source_id.in_(chunk))
        ):
            found[source_id].add(coder)
    return found


def _mark_reviewed(session: Session, units: Sequence[UnitCodings]) -> None:
    """Which of these units a reviewer has accepted or rejected a stance of."""
    owner = {sid: unit for unit in units for sid in unit.stance_ids}
    ids = sorted(owner)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for sid in session.scalars(
            select(StanceEvent.stance_id)
            .distinct()
            .where(
                StanceEvent.stance_id.in_(chunk),
                StanceEvent.action.in_([StanceAction.ACCEPT.value, StanceAction.REJECT.value]),
            )
        ):
            owner[sid].reviewed = True


def measure(session: Session, issue: str | None = None) -> Agreement:
    """Alpha per issue, kappa per pair of analysts (over every analyst's own coding, settled
    or not), and the units they disagree on that no reviewer has settled yet."""
    units = double_coded(session, issue)
    by_issue: dict[str, list[UnitCodings]] = defaultdict(list)
    for unit in units:
        by_issue[unit.issue].append(unit)
    issues = [_issue_alpha(slug, by_issue[slug]) for slug in sorted(by_issue)]
    names = sorted({c for u in units for c in u.coders})
    pairs = [_pair_kappa(a, b, units) for a, b in itertools.combinations(names, 2)]
    return Agreement(
        issues,
        [p for p in pairs if p.units],
        [u for u in units if not u.agreed and not u.settled],
    )


def unsettled_on(session: Session, source_ids: Sequence[int]) -> int:
    """How many disagreements on these double-coded sources no reviewer has settled."""
    return sum(not u.agreed and not u.settled for u in double_coded(session, sources=source_ids))


def _issue_alpha(slug: str, units: Sequence[UnitCodings]) -> IssueAgreement:
    coders = sorted({c for u in units for c in u.coders})
    data = np.full((len(coders), len(units)), np.nan)
    for j, unit in enumerate(units):
        for coder in unit.coders:
            value = unit.value(coder)
            data[coders.index(coder), j] = NO_STANCE if value is None else value
    values = {v for v in data.flatten() if not math.isnan(v)}
    if len(values) < 2:
        return IssueAgreement(slug, len(units), len(coders), None, "every coding has one value")
    if NO_STANCE in values:
        alpha = krippendorff.alpha(
            reliability_data=data,
            # The package's metric protocol is generic over dtypes mypy cannot match here.
            level_of_measurement=cast(Any, _ordinal_or_none),
            value_domain=[*POSITIONS, NO_STANCE],
        )
    else:
        alpha = krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=list(POSITIONS)
        )
    return IssueAgreement(slug, len(units), len(coders), round(float(alpha), 3))


def _ordinal_or_none(
    v1: npt.NDArray[np.float64],
    v2: npt.NDArray[np.float64],
    i1: npt.NDArray[np.int_],
    i2: npt.NDArray[np.int_],
    n_v: npt.NDArray[np.float64],
    dtype: npt.DTypeLike = np.float64,
) -> npt.NDArray[np.float64]:
    """Krippendorff's ordinal distance between positions (the domain's first five values);
    "no stance" (the last) is as far from any position as -2 is from +2, and 0 from itself."""
    scale = len(POSITIONS)
    counts = np.asarray(n_v[:scale], dtype=np.float64)
    cumulative = np.concatenate(([0.0], np.cumsum(counts)))
    low = np.minimum(i1, i2).clip(max=scale - 1)
    high = np.maximum(i1, i2).clip(max=scale - 1)
    ordinal = (cumulative[high + 1] - cumulative[low] - (counts[low] + counts[high]) / 2) ** 2
    widest = (cumulative[scale] - (counts[0] + counts[scale - 1]) / 2) ** 2
    none_first, none_second = i1 == scale, i2 == scale
    distance = np.where(none_first | none_second, widest, ordinal)
    return np.where(none_first & none_second, 0.0, distance).astype(np.float64)


def cohen_kappa(first: Sequence[int | None], second: Sequence[int | None]) -> float | None:
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
    shared = [u for u in units if first in u.coders and second in u.coders]
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


def settle(
    session: Session, stance_ids: Sequence[int], keep: int | None, *, annotator: str
) -> None:
    """Adjudicate a disagreement: accept ``keep``, reject the unit's other stances (all of
    them when ``keep`` is None: "no stance" was right). Each change is an 'accept' or
    'reject' event, so both originals stay in the history; when nothing needs to change
    (one analyst's stance against "no stance", kept), the acceptance is still recorded."""
    require(session, Role.REVIEWER, "settle disagreements")
    if keep is not None and keep not in stance_ids:
        raise TrackerError(f"stance #{keep} is not one of the disagreeing stances")
    stances = [get_stance(session, sid) for sid in dict.fromkeys(stance_ids)]
    if len({(s.actor_id, s.issue_id) for s in stances}) != 1:
        raise TrackerError("only stances of one actor on one issue can be settled together")
    changed = False
    for stance in stances:
        wanted = "accepted" if stance.id == keep else "rejected"
        if stance.status != wanted:
            changed = True
            review_stance(
                session,
                stance.id,
                accept=stance.id == keep,
                annotator=annotator,
                expected_version=stance.version,
            )
    if not changed and keep is not None:
        kept = get_stance(session, keep)
        review_stance(
            session, keep, accept=True, annotator=annotator, expected_version=kept.version
        )
