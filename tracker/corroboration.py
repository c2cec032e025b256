"""Corroboration: how many independent sources back a stance.

For each stance, the number of stories (a source and its rewrites count once:
``coalesce(duplicate_of, id)``) that carry an accepted stance of the same actor on the
same issue with the same sign of position (support, opposition, neutral) stated within
a window of days around it; the stance's own story counts, so an uncorroborated stance
scores 1. Computed when read, never stored: it changes whenever a neighbouring stance is
saved. Views of a few stances use :func:`corroboration`, a correlated subquery riding the
``stance(issue_id, actor_id, stated_on)`` index; the CSV export of every stance uses
:class:`CorroborationWindow`, the same count from one streamed pass over the accepted
stances (a subquery per row doubled the export's time); a report's few hundred shown
stances use :func:`corroboration_counts`, one read of their neighbours.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    Date,
    Integer,
    ScalarSelect,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Select

from tracker.errors import TrackerError
from tracker.models import Issue, Source, Stance, StanceStatus
from tracker.sql_hints import unindexed

WINDOW_ENV_VAR = "TRACKER_CORROBORATION_DAYS"
DEFAULT_WINDOW_DAYS = 7


def window_days(explicit: int | None = None) -> int:
    """The window (± days): the argument, else ``TRACKER_CORROBORATION_DAYS``, else 7."""
    raw: Any = explicit if explicit is not None else os.environ.get(WINDOW_ENV_VAR, "").strip()
    if raw == "":
        return DEFAULT_WINDOW_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise TrackerError(f"{WINDOW_ENV_VAR}={raw!r} is not a whole number of days") from None
    if not 0 <= days <= 366:
        raise TrackerError(f"the corroboration window must be 0 to 366 days, not {days}")
    return days


class _plus_days(FunctionElement[dt.date]):
    """A date moved by a whole number of days, in each database's own arithmetic."""

    type = Date()
    name = "plus_days"
    inherit_cache = True


@compiles(_plus_days, "sqlite")
def _plus_days_sqlite(element: _plus_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, {compiler.process(days, **kw)} || ' days')"


@compiles(_plus_days)
def _plus_days_default(element: _plus_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(cast(days, Integer), **kw)})"


def _sign(position: Any) -> ColumnElement[int]:
    return case((position > 0, 1), (position < 0, -1), else_=0)


def corroboration(days: int | None = None) -> ScalarSelect[int]:
    """A scalar subquery correlated to the ``stance`` of the enclosing query."""
    window = window_days(days)
    other = aliased(Stance, name="corroborating")
    source = aliased(Source, name="corroborating_source")
    return (
        select(func.count(func.distinct(func.coalesce(source.duplicate_of, source.id))))
        .select_from(other)
        .join(source, source.id == other.source_id)
        .where(
            other.issue_id == Stance.issue_id,
            other.actor_id == Stance.actor_id,
            other.stated_on.between(
                _plus_days(Stance.stated_on, literal(-window)),
                _plus_days(Stance.stated_on, literal(window)),
            ),
            _sign(other.position) == _sign(Stance.position),
            or_(other.status == StanceStatus.ACCEPTED.value, other.id == Stance.id),
        )
        .correlate(Stance)
        .scalar_subquery()
    )


# One integer per (actor_id, issue_id, sign of the position): the stances that can
# corroborate each other. An integer, not a tuple: the export looks one up per stance.
_Key = int
# (key, stated_on as ISO text, story)
Neighbour = tuple[int, str, int]
_ISSUES = 1 << 21  # issue ids stay below this (two million issues): see check_window_keys


def window_key(actor_id: Any, issue_id: Any, position: Any) -> ColumnElement[int]:
    """(actor, issue, sign of the position) as one integer, in SQL: the key
    :class:`CorroborationWindow` counts by. 64-bit arithmetic on both databases."""
    actor = cast(actor_id, BigInteger)
    return (actor * _ISSUES + issue_id) * 4 + _sign(position) + 1  # type: ignore[no-any-return]


def check_window_keys(session: Session) -> None:
    """Refuse to count by :func:`window_key` where two (actor, issue) pairs could share a
    key: only with an issue id of two million or more, which no taxonomy reaches, but a
    wrong count would pass unnoticed."""
    highest = session.scalar(select(func.max(Issue.id))) or 0
    if highest >= _ISSUES:
        raise TrackerError(
            f"issue id {highest} is too large to count corroboration by (ids must stay "
            f"below {_ISSUES:,})"
        )


def shift_days(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, held at the calendar's ends (the comparisons stay right)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


class CorroborationWindow:
    """:func:`corroboration` for stances met in ``stated_on`` order, set-based.

    ``accepted`` yields a :data:`Neighbour` for every accepted stance that can corroborate
    the stances to be counted, in ``stated_on`` order (the key of :func:`window_key`;
    ``story`` is ``coalesce(duplicate_of, source_id)``; days are ISO text, which sorts as
    the dates do). The window slides along it: for each key it holds how many accepted
    stances of each story fall within ± ``days`` of the current day, so a count is one
    lookup. Memory is the stances of ``2 * days + 1`` days, however many stances there are.
    """

    def __init__(self, accepted: Iterable[Neighbour], days: int) -> None:
        self._upcoming: Iterator[Neighbour] = iter(accepted)
        self._next: Neighbour | None = next(self._upcoming, None)
        self._days = days
        self._held: deque[Neighbour] = deque()
        self._stories: dict[_Key, dict[int, int]] = {}
        self._day = ""

    def count(self, key: int, stated_on: str, story: int, accepted: bool) -> int:
        """The corroboration of one stance; ``stated_on`` (ISO) never goes back."""
        if stated_on != self._day:
            self._move_to(stated_on)
        stories = self._stories.get(key)
        if stories is None:
            return 1  # not accepted, nothing accepted around it: its own story
        # An accepted stance is in the window already; another counts its own story too.
        return len(stories) + (not accepted and story not in stories)

    def _move_to(self, day: str) -> None:
        if day < self._day:
            raise ValueError("stances must come in stated_on order")
        self._day = day
        date = dt.date.fromisoformat(day)
        last = shift_days(date, self._days).isoformat()
        held, by_key, upcoming = self._held, self._stories, self._upcoming
        found = self._next
        while found is not None and found[1] <= last:
            held.append(found)
            key, _, story = found
            stories = by_key.get(key)
            if stories is None:
                by_key[key] = {story: 1}
            else:
                stories[story] = stories.get(story, 0) + 1
            found = next(upcoming, None)
        self._next = found
        first = shift_days(date, -self._days).isoformat()
        while held and held[0][1] < first:
            key, _, story = held.popleft()
            stories = by_key[key]
            if stories[story] == 1:
                del stories[story]
                if not stories:
                    del by_key[key]
            else:
                stories[story] -= 1


def _py_sign(position: float) -> int:
    return (position > 0) - (position < 0)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _spans(session: Session, spans: Sequence[tuple[int, int, dt.date, dt.date]]) -> CTE:
    """(issue_id, actor_id, first, last) rows as a CTE read from one bound parameter (a JSON
    array on SQLite, arrays on PostgreSQL): the same SQL whatever the rows, so compiled
    once. A VALUES list of a report's ~700 spans took 120 ms to compile on every call."""
    columns = (
        column("issue_id", Integer),
        column("actor_id", Integer),
        column("first", Date),
        column("last", Date),
    )
    if session.get_bind().dialect.name == "postgresql":
        issue_ids, actor_ids, firsts, lasts = (list(c) for c in zip(*spans, strict=True))
        rows = text(
            "SELECT * FROM unnest(CAST(:issue_ids AS INTEGER[]), CAST(:actor_ids AS INTEGER[]), "
            "CAST(:firsts AS DATE[]), CAST(:lasts AS DATE[])) AS s(issue_id, actor_id, first, last)"
        ).bindparams(issue_ids=issue_ids, actor_ids=actor_ids, firsts=firsts, lasts=lasts)
    else:
        rows = text(
            "SELECT json_extract(value, '$[0]') AS issue_id, json_extract(value, '$[1]') "
            "AS actor_id, json_extract(value, '$[2]') AS first, json_extract(value, '$[3]') "
            "AS last FROM json_each(:spans)"
        ).bindparams(
            spans=json.dumps(
                [[i, a, first.isoformat(), last.isoformat()] for i, a, first, last in spans]
            )
        )
    return rows.columns(*columns).cte("spans")


def _neighbours(session: Session, spans: CTE, story: ColumnElement[int]) -> Select[Any]:
    """The accepted stances within each span: issue_id, actor_id, stated_on, position,
    story."""
    near = [
        Stance.issue_id == spans.c.issue_id,
        Stance.actor_id == spans.c.actor_id,
        Stance.stated_on.between(spans.c.first, spans.c.last),
        # Else SQLite, seeing `status = ?` next to a table function it cannot size, read
        # every accepted stance through ix_stance_status for each span.
        unindexed(Stance.status) == StanceStatus.ACCEPTED.value,
    ]
    if session.get_bind().dialect.name != "postgresql":
        # SQLite loops over the spans and seeks the (issue, actor, stated_on) index.
        return (
            select(Stance.issue_id, Stance.actor_id, Stance.stated_on, Stance.position, story)
            .join(spans, and_(*near))
            .join(Source, Source.id == Stance.source_id)
        )
    # PostgreSQL hashed the spans and scanned every stance (its estimate: 83 rows, not
    # 22,503; 260-370 ms at 1M). One index seek per span instead (72 ms): a LATERAL read,
    # kept apart by OFFSET 0, without which the planner flattens it into the same join.
    each = (
        select(Stance.stated_on, Stance.position, story.label("story"))
        .join(Source, Source.id == Stance.source_id)
        .where(*near)
        .offset(literal_column("0"))
        .lateral("near")
    )
    return select(
        spans.c.issue_id, spans.c.actor_id, each.c.stated_on, each.c.position, each.c.story
    ).join(each, true())


def corroboration_counts(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Stance id -> :func:`corroboration` of each listed stance (rows with ``stance_id``,
    ``actor_id``, ``issue_id``, ``stated_on``, ``position``, ``source_id`` and
    ``duplicate_of``), from one read of their neighbours over all their (actor, issue)
    spans: for a report's hundreds of shown stances the correlated count re-read the same
    neighbours for each of a party's stances."""
    window = dt.timedelta(days=window_days())
    spans: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
    for row in rows:
        key, day = (row["issue_id"], row["actor_id"]), _as_date(row["stated_on"])
        first, last = spans.get(key, (day, day))
        spans[key] = (min(first, day), max(last, day))
    story = func.coalesce(Source.duplicate_of, Source.id)
    nearby: dict[tuple[int, int], list[tuple[dt.date, int, int]]] = defaultdict(list)
    widened = [
        (issue_id, actor_id, first - window, last + window)
        for (issue_id, actor_id), (first, last) in sorted(spans.items())
    ]
    if widened:
        for issue_id, actor_id, day, position, story_id in session.execute(
            _neighbours(session, _spans(session, widened), story)
        ):
            nearby[(issue_id, actor_id)].append((_as_date(day), _py_sign(position), story_id))
    counts = {}
    for row in rows:
        day, own_sign = _as_date(row["stated_on"]), _py_sign(row["position"])
        stories = {row["duplicate_of"] or row["source_id"]}  # its own, whatever its status
        stories.update(
            story_id
            for other_day, other_sign, story_id in nearby[(row["issue_id"], row["actor_id"])]
            if other_sign == own_sign and abs(other_day - day) <= window
        )
        counts[row["stance_id"]] = len(stories)
    return counts
