"""Stances out to CSV: the documented columns, streamed, spreadsheet-safe.

Export streams the shared flat query (tracker.stance_query) through the CSV writer, so
memory stays flat however many stances there are. The database does the per-cell work it
can do faster than Python: dates and timestamps come out as the ISO text Python would
write, and one flag says whether a row has a cell to neutralise (tracker.csv_io), so most
rows go to the writer as they were fetched. Importing lives in tracker.stance_import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TextIO

from sqlalchemy import ColumnElement, Select, String, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.expression import FunctionElement

from tracker.corroboration import CorroborationWindow, Neighbour, shift_days, sign, window_days
from tracker.csv_io import FORMULA_TRIGGERS, atomic_output, neutralise
from tracker.models import Source, Stance, StanceStatus
from tracker.stance_query import COLUMNS, StanceFilter, filter_conditions, records_query

_DATES = ("stated_on", "published_on")
_TIMESTAMPS = ("created_at", "updated_at")
# The columns that hold text; a cell needs neutralise() only when it starts with one of
# the triggers or a quote (which neutralise() may have to double).
_TEXTS = (
    "actor", "party", "issue", "position_label", "status", "origin", "quote", "source_title",
    "source_outlet", "source_url", "annotator", "note", "attribution", "reported_by",
    "condition", "proposal",
)  # fmt: skip
_RISKY_FIRST = (*FORMULA_TRIGGERS, "'")
_ACCEPTED = StanceStatus.ACCEPTED.value
_STREAM = 5000
_AFTER = COLUMNS.index("corroboration")  # the exported columns before corroboration


class _iso_date(FunctionElement[str]):
    """A date as ``date.isoformat()`` writes it."""

    type = String()
    name = "iso_date"
    inherit_cache = True


class _iso_timestamp(FunctionElement[str]):
    """A UTC timestamp as ``datetime.isoformat()`` writes it (``+00:00``, micro-
    seconds only when there are some), as tracker.models.UTCDateTime reads it."""

    type = String()
    name = "iso_timestamp"
    inherit_cache = True


@compiles(_iso_date, "sqlite")
def _iso_date_sqlite(element: _iso_date, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))  # stored as ISO text already


@compiles(_iso_date)
def _iso_date_default(element: _iso_date, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


@compiles(_iso_timestamp, "sqlite")
def _iso_timestamp_sqlite(element: _iso_timestamp, compiler: Any, **kw: Any) -> str:
    # Stored naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format).
    at = compiler.process(element.clauses, **kw)
    return (
        f"CASE WHEN {at} IS NULL THEN NULL ELSE substr({at}, 1, 10) || 'T' || "
        f"substr({at}, 12, 8) || CASE WHEN substr({at}, 20) IN ('', '.000000') THEN '' "
        f"ELSE substr({at}, 20) END || '+00:00' END"
    )


@compiles(_iso_timestamp)
def _iso_timestamp_default(element: _iso_timestamp, compiler: Any, **kw: Any) -> str:
    at = f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"
    return (
        f"to_char({at}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"mod(CAST(extract(microseconds FROM {at}) AS bigint), 1000000) = 0 THEN '' "
        f"ELSE to_char({at}, '.US') END || '+00:00'"
    )


def export_stances(session: Session, flt: StanceFilter, out: TextIO) -> int:
    """Write the matching stances as CSV; returns the number of rows.

    The cells :func:`tracker.csv_io.write_csv` would write for these records (the columns
    of :func:`records_query`), from plain rows streamed through Core. Corroboration is
    counted alongside (:class:`tracker.corroboration.CorroborationWindow`), not by a
    subquery per row, which doubled the export's time."""
    days = window_days()
    query = _rows_query(session, flt)
    names = [column.name for column in query.selected_columns]
    actor, issue, sign_, day, story, accepted, risky = (
        names.index(name)
        for name in ("actor_id", "issue_id", "sign", "stated_on", "story", "accepted", "risky")
    )
    count_of = CorroborationWindow(_accepted_around(session, flt, days), days).count
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    write = writer.writerow
    count = 0
    connection = session.connection().execution_options(yield_per=_STREAM)
    for rows in connection.execute(query).partitions():
        for row in rows:
            cells = (
                *row[:_AFTER],
                count_of(row[actor], row[issue], row[sign_], row[day], row[story], row[accepted]),
                row[_AFTER],
            )
            # csv.writer writes None as an empty cell, as write_csv does.
            write([neutralise(v) for v in cells] if row[risky] else cells)
        count += len(rows)
    return count


def _rows_query(session: Session, flt: StanceFilter) -> Select[Any]:
    """:func:`records_query`'s exported columns in :data:`COLUMNS` order, each as the text
    the CSV gets where the database can write it, then what the corroboration window
    needs; without records_query's subquery per row for corroboration."""
    query = records_query(session, flt, with_corroboration=False)
    by_name = {column.name: column for column in query.selected_columns}
    dialect = session.get_bind().dialect.name
    exported = [_cell(name, by_name[name]) for name in COLUMNS if name != "corroboration"]
    story = func.coalesce(Source.duplicate_of, Source.id)
    return query.with_only_columns(
        *exported,
        Stance.actor_id,
        Stance.issue_id,
        sign(Stance.position).label("sign"),
        story.label("story"),
        case((Stance.status == _ACCEPTED, 1), else_=0).label("accepted"),
        _risky([_bare(by_name[name]) for name in _TEXTS], dialect).label("risky"),
        maintain_column_froms=False,
    )


def _bare(column: Any) -> Any:
    return column.element if isinstance(column, Label) else column


def _cell(name: str, column: Any) -> ColumnElement[Any]:
    if name in _DATES:
        return _iso_date(_bare(column)).label(name)
    if name in _TIMESTAMPS:
        return _iso_timestamp(_bare(column)).label(name)
    if name == "conditional":
        return case((_bare(column), "true"), else_="false").label(name)
    return column  # type: ignore[no-any-return]


def _risky(texts: list[Any], dialect: str) -> ColumnElement[int]:
    """Whether any text cell of the row starts with a character neutralise() looks at."""
    # PostgreSQL refuses NUL in text (so no value can start with one) and in parameters.
    firsts = [c for c in _RISKY_FIRST if not (c == "\x00" and dialect == "postgresql")]
    flag = or_(*(func.substr(text, 1, 1).in_(firsts) for text in texts))
    return case((flag, 1), else_=0)  # 1 or 0, not a bool: no conversion per row


def _accepted_around(session: Session, flt: StanceFilter, days: int) -> Iterator[Neighbour]:
    """Every accepted stance that can corroborate an exported one, in ``stated_on`` order:
    the filter's actors and issue, whatever its status, over its dates widened by the window."""
    around = replace(
        flt,
        status=None,
        since=None if flt.since is None else shift_days(flt.since, -days),
        until=None if flt.until is None else shift_days(flt.until, days),
    )
    query = (
        select(
            Stance.actor_id,
            Stance.issue_id,
            sign(Stance.position),
            _iso_date(Stance.stated_on),
            func.coalesce(Source.duplicate_of, Source.id),
        )
        .join(Source, Source.id == Stance.source_id)
        .where(Stance.status == _ACCEPTED, *filter_conditions(session, around))
        .order_by(Stance.stated_on)
    )
    connection = session.connection().execution_options(yield_per=_STREAM)
    for rows in connection.execute(query).partitions():
        yield from rows  # type: ignore[misc]


def export_stances_to(session: Session, flt: StanceFilter, path: str, *, excel: bool) -> int:
    with atomic_output(path, excel=excel) as out:
        return export_stances(session, flt, out)


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
