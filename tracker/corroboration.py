"""Corroboration: how many independent sources back a stance.

For each stance, the number of stories (a source and its rewrites count once:
``coalesce(duplicate_of, id)``) that carry an accepted stance of the same actor on the
same issue with the same sign of position (support, opposition, neutral) stated within
a window of days around it; the stance's own story counts, so an uncorroborated stance
scores 1. Computed in SQL when read (a correlated subquery riding the
``stance(issue_id, actor_id, stated_on)`` index), never stored: it changes whenever a
neighbouring stance is saved.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from sqlalchemy import Date, Integer, ScalarSelect, case, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from tracker.errors import TrackerError
from tracker.models import Source, Stance, StanceStatus

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
