"""Hints to a query planner that has no statistics to go on.

The tracker never runs ``ANALYZE`` on SQLite (with statistics, the planner chose worse
plans for the corroboration reads), so SQLite picks an index by its rules of thumb, and
one of them is that ``column = value`` narrows more than a range. For ``status =
'accepted'``, nine stances in ten, that is wrong: a week's stances were found by reading
every accepted stance through ``ix_stance_status`` and dropping those outside the week.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, any_, bindparam, cast, func
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, TableValuedAlias

from tracker.models import Stance, StanceStatus


class _unindexed(FunctionElement[Any]):
    inherit_cache = True
    name = "unindexed"


@compiles(_unindexed, "sqlite")
def _unindexed_sqlite(element: _unindexed, compiler: Any, **kw: Any) -> str:
    # SQLite's unary + returns its operand unchanged, text included, and an expression
    # is not a column: no index on it is considered (the documented way to rule one out).
    (column,) = list(element.clauses)
    return f"+{compiler.process(column, **kw)}"


@compiles(_unindexed)
def _unindexed_default(element: _unindexed, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return str(compiler.process(column, **kw))  # PostgreSQL keeps statistics


def unindexed(column: ColumnElement[Any] | Any) -> ColumnElement[Any]:
    """``column`` as an expression SQLite will not look up by index: for a condition that
    keeps most rows, so that another condition's index is used."""
    element: Any = _unindexed(column)
    element.type = column.type
    return element  # type: ignore[no-any-return]


def status_in(statuses: Sequence[str]) -> ColumnElement[bool]:
    """``stance.status IN (statuses)``, looked up through the status index only when no
    accepted stance is wanted. Nine stances in ten are accepted: for them the dates' or the
    scope's index narrows far more, and a page ordered by date walks the date index and
    stops at its last row, where reading every accepted stance by status and sorting them
    took the Stances page ~1 s at 1M stances."""
    if StanceStatus.ACCEPTED.value in statuses:
        return unindexed(Stance.status).in_(list(statuses))
    return Stance.status.in_(list(statuses))  # the few others: the status index finds them


# Many ids bound as one parameter: the same statement whatever the ids, and not thousands
# of parameters to render and bind (they cost more than the lookups they make).


def listed_ids(ids: Sequence[int]) -> TableValuedAlias:
    """The ids as a one-column table (``.c.value``) read from one JSON array (SQLite)."""
    return func.json_each(bindparam("ids", json.dumps(list(ids)))).table_valued("value")


def any_of(ids: Sequence[int]) -> ColumnElement[Any]:
    """``column == any_of(ids)``: one array literal bound as one parameter (PostgreSQL)."""
    literal = "{" + ",".join(map(str, ids)) + "}"
    return any_(cast(bindparam("ids", literal), postgresql.ARRAY(Integer)))
