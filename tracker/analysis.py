"""What the analysis views need on top of :mod:`tracker.timelines`: which actors are
parties, the dates the stances span, the positions matrix by party, and whether the gap
between two sides is narrowing. The dashboard and the reports share these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracker.models import Actor, Issue, Stance, StanceStatus
from tracker.stance_query import StanceFilter, stance_records
from tracker.text import name_order
from tracker.timelines import (
    DEFAULT_ROLLUP_DAYS,
    GapPoint,
    MatrixCell,
    SeriesFilter,
    change_base,
    party_rollup,
    spoken_issues,
)


def party_names(session: Session) -> list[str]:
    """Actors other actors speak for (the parties a roll-up can be built for), by name."""
    member = aliased(Actor)
    query = select(Actor.name).where(select(member.id).where(member.party_id == Actor.id).exists())
    return sorted(session.scalars(query), key=name_order)


def top_level_names(session: Session) -> list[str]:
    """Actors with no party above them: states, organisations, coalitions."""
    names = session.scalars(select(Actor.name).where(Actor.party_id.is_(None)))
    return sorted(names, key=name_order)


def stance_counts(session: Session, statuses: Sequence[str] | None = None) -> dict[str, int]:
    """How many stances (of these statuses) each actor has, by actor name."""
    query = select(Actor.name, func.count(Stance.id)).join(Stance, Stance.actor_id == Actor.id)
    if statuses is not None:
        query = query.where(Stance.status.in_(list(statuses)))
    return {name: int(n) for name, n in session.execute(query.group_by(Actor.name))}


def busiest_parties(session: Session, limit: int = 2) -> list[str]:
    """The top-level parties with the most accepted stances, their members' included:
    the sides a comparison starts from on any negotiation's database. Counted by the
    database, grouped by each stance's party (the actor itself when it has none)."""
    party = aliased(Actor)
    query = (
        select(party.name, func.count(Stance.id))
        .join(Actor, Stance.actor_id == Actor.id)
        .join(party, party.id == func.coalesce(Actor.party_id, Actor.id))
        .where(Stance.status == StanceStatus.ACCEPTED.value, party.party_id.is_(None))
        .group_by(party.id, party.name)
    )
    totals = {name: int(count) for name, count in session.execute(query)}
    ranked = sorted(totals, key=lambda name: (-totals[name], name_order(name)))
    return ranked[:limit]


def stance_span(
    session: Session, statuses: Sequence[str] | None = None
) -> tuple[dt.date, dt.date] | None:
    """The first and last dates stances were stated on (of these statuses), if any."""
    query = select(func.min(Stance.stated_on), func.max(Stance.stated_on))
    if statuses is not None:
        query = query.where(Stance.status.in_(list(statuses)))
    first, last = session.execute(query).one()
    if first is None or last is None:
        return None
    return _as_date(first), _as_date(last)


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def party_matrix(
    session: Session,
    as_of: dt.date,
    *,
    change_days: int = 30,
    window_days: int = DEFAULT_ROLLUP_DAYS,
    parties: Sequence[str] | None = None,
    flt: SeriesFilter | None = None,
) -> list[MatrixCell]:
    """Like :func:`tracker.timelines.positions_matrix`, one row per party: each party's
    roll-up (the same window rule) as of ``as_of``, and what it was ``change_days`` earlier."""
    base = flt or SeriesFilter()
    names = list(parties) if parties is not None else top_level_names(session)
    start = as_of - dt.timedelta(days=change_days)
    upto = replace(base, actors=(), parties=(), until=as_of, actor_ids=None)
    cells = []
    for party in names:
        for issue in spoken_issues(session, _with_party(upto, party)):
            rollup = party_rollup(session, party, issue, window_days=window_days, flt=upto)
            earlier = [p for p in rollup if p.day <= start]
            inside = [p for p in rollup if p.day > start]
            latest = rollup[-1]
            cells.append(
                MatrixCell(
                    latest.party,
                    issue,
                    latest.position,
                    latest.day,
                    change_base(
                        earlier[-1].position if earlier else None, [p.position for p in inside]
                    ),
                    tuple(
                        sorted(
                            {d.stance_id for p in rollup if p.day > start for d in p.derived_from}
                        )
                    )
                    or tuple(d.stance_id for d in latest.derived_from),
                    new_in_window=not earlier,
                )
            )
    return cells


def cell_stances(
    session: Session, row: str, issue: str, *, parties: bool, as_of: dt.date, flt: SeriesFilter
) -> list[dict[str, Any]]:
    """The stances behind one matrix cell (an actor's or a party's position on an issue
    as of a date), oldest first, under the same statuses, confidence floor and
    attributions as the matrix itself, so the list explains the cell it sits under."""
    return stance_records(
        session,
        StanceFilter(
            actor=None if parties else row,
            party=row if parties else None,
            issue=issue,
            until=as_of,
            statuses=tuple(flt.statuses),
            min_confidence=flt.min_confidence,
            attributions=None if flt.attributions is None else tuple(flt.attributions),
        ),
    )


def _with_party(flt: SeriesFilter, party: str) -> SeriesFilter:
    return replace(flt, actors=(), parties=(party,), actor_ids=None)


def issue_labels(session: Session) -> dict[str, dict[int, str]]:
    """Every issue's scale labels, by slug."""
    return {i.slug: i.labels() for i in session.scalars(select(Issue).order_by(Issue.slug))}


@dataclass(frozen=True)
class GapTrend:
    first: GapPoint
    last: GapPoint
    direction: Literal["narrowing", "widening", "unchanged"]

    @property
    def first_gap(self) -> float:
        return self.first.gap or 0.0

    @property
    def last_gap(self) -> float:
        return self.last.gap or 0.0

    @property
    def deal_space(self) -> Literal["opening", "closing", "unchanged"]:
        """A narrowing gap opens space for a deal; a widening one closes it."""
        return {"narrowing": "opening", "widening": "closing", "unchanged": "unchanged"}[
            self.direction
        ]  # type: ignore[return-value]


def gap_trend(points: Sequence[GapPoint]) -> GapTrend | None:
    """Compare the first and the last date on which both sides had a position."""
    both = [p for p in points if p.gap is not None]
    if not both:
        return None
    first, last = both[0], both[-1]
    change = (last.gap or 0.0) - (first.gap or 0.0)
    direction: Literal["narrowing", "widening", "unchanged"] = (
        "unchanged" if abs(change) < 1e-9 else ("narrowing" if change < 0 else "widening")
    )
    return GapTrend(first, last, direction)
