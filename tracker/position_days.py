"""Keeping ``position_day`` in step with the stances it is derived from.

``position_day`` holds, per actor, issue and day, what :func:`tracker.timelines.computed_days`
computes from accepted stances. A day's row depends on every stance of that actor, issue
and day (and on which sources are rewrites of one story), so each service that changes
one of those calls :func:`refresh_days` with the days it touched, in the same
transaction: the table is never out of step with a committed stance. Refreshing a day
deletes its row and recomputes it from the stances with the same SQL the on-the-fly path
uses, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, Insert, Table, and_, delete, func, insert, select
from sqlalchemy.orm import Session

from tracker.access import require
from tracker.bulk_load import DeferredIndexes
from tracker.db import WriteLock, wait_for
from tracker.models import PositionDay, Role, Source, Stance
from tracker.timelines import SeriesFilter, computed_days

DayKey = tuple[int, int, dt.date]  # actor_id, issue_id, day

# Past this many days, recomputing the whole table in one pass beats day-by-day refreshes;
# so it does when the days touched belong to a good share of all (actor, issue) pairs.
REBUILD_ABOVE = 50_000
FEW_PAIRS = 20  # up to this many pairs (any save in the dashboard), never count them
REBUILD_SHARE = 0.3


def day_key(stance: Stance) -> DayKey:
    return (stance.actor_id, stance.issue_id, stance.stated_on)


def refresh_days(session: Session, keys: Iterable[DayKey]) -> None:
    """Recompute the stored rows of these (actor, issue, day)s from their stances."""
    wanted = set(keys)
    if not wanted:
        return
    if len(wanted) > REBUILD_ABOVE:
        _rebuild(session)  # part of the caller's write, which it was allowed to make
        return
    session.flush()
    _lock(session)
    by_pair: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for actor_id, issue_id, day in wanted:
        by_pair[(actor_id, issue_id)].append(day)
    if len(by_pair) > FEW_PAIRS and len(by_pair) > REBUILD_SHARE * _stored_pairs(session):
        _rebuild(session)  # an import touching most actors: one pass beats a statement each
        return
    # One statement per actor and issue, over the span of days touched: plain equality and
    # a range ride the (issue, actor, day) index on both databases, where one statement
    # OR-ing many pairs made SQLite's planner scan the whole stance table.
    for pair, days in sorted(by_pair.items()):
        span = (pair, min(days), max(days))
        _replace(
            session,
            _in_span(Stance, Stance.stated_on, *span),
            _in_span(PositionDay, PositionDay.day, *span),
        )


def refresh_actors(session: Session, actor_ids: Iterable[int]) -> None:
    """Recompute every stored day of these actors (after a merge moved their stances)."""
    ids = sorted(set(actor_ids))
    if not ids:
        return
    session.flush()
    _lock(session)
    _replace(session, Stance.actor_id.in_(ids), PositionDay.actor_id.in_(ids))


def refresh_sources(session: Session, source_ids: Iterable[int]) -> None:
    """Recompute the days quoting these sources: after rewrites were linked or unlinked,
    which stances count once changed."""
    ids = sorted(set(source_ids))
    if not ids:
        return
    session.flush()
    keys = session.execute(
        select(Stance.actor_id, Stance.issue_id, Stance.stated_on)
        .distinct()
        .where(Stance.source_id.in_(ids))
    ).all()
    refresh_days(session, ((a, i, d) for a, i, d in keys))


def story_members(session: Session, source: Source) -> set[int]:
    """The ids of every source in this source's story (the root and its rewrites)."""
    root = source.duplicate_of or source.id
    return {root} | set(session.scalars(select(Source.id).where(Source.duplicate_of == root)))


def rebuild(session: Session) -> int:
    """Recompute the whole table from the stances; returns the number of days stored."""
    require(session, Role.ADMIN, "recompute the stored positions")
    return _rebuild(session)


def _stored_pairs(session: Session) -> int:
    pairs = select(PositionDay.actor_id, PositionDay.issue_id).distinct().subquery()
    return int(session.scalar(select(func.count()).select_from(pairs)) or 0)


def rebuild_days(session: Session) -> int:
    """:func:`rebuild` as part of a write the caller was allowed to make (a big import)."""
    return _rebuild(session)


def _rebuild(session: Session) -> int:
    session.flush()
    _lock(session)
    # Every row is written again: on SQLite the secondary indexes are built once at the end
    # (tracker.bulk_load); the primary key's B-tree is appended to in order (computed_days).
    indexes = DeferredIndexes(session, [cast(Table, PositionDay.__table__)], keep=set())
    indexes.defer()
    session.execute(delete(PositionDay))
    session.execute(_insert_computed(session, None))
    indexes.restore()
    return int(session.scalar(select(func.count()).select_from(PositionDay)) or 0)


def _replace(session: Session, stances: ColumnElement[bool], stored: ColumnElement[bool]) -> None:
    session.execute(delete(PositionDay).where(stored))
    session.execute(_insert_computed(session, stances))


def _insert_computed(session: Session, where: ColumnElement[bool] | None) -> Insert:
    columns = ["actor_id", "issue_id", "day", "position", "stances", "stance_id"]
    return insert(PositionDay).from_select(columns, computed_days(session, SeriesFilter(), where))


def _in_span(
    table: type[Stance] | type[PositionDay],
    day: Any,
    pair: tuple[int, int],
    first: dt.date,
    last: dt.date,
) -> ColumnElement[bool]:
    return and_(table.actor_id == pair[0], table.issue_id == pair[1], day.between(first, last))


def _lock(session: Session) -> None:
    # Two analysts saving stances of the same day cannot each recompute it without the
    # other's stance.
    wait_for(session, WriteLock.POSITION_DAYS)
