"""Stances out to CSV: the documented columns, streamed, spreadsheet-safe.

Export streams the shared flat query (tracker.stance_query) through the neutralising CSV
writer (tracker.csv_io), so memory stays flat however many stances there are. Importing
lives in tracker.stance_import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TextIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tracker.corroboration import CorroborationWindow, shift_days, window_days
from tracker.csv_io import FORMULA_TRIGGERS, atomic_output, neutralise
from tracker.models import Source, Stance, StanceStatus
from tracker.stance_query import COLUMNS, StanceFilter, filter_conditions, records_query

_TIME_COLUMNS = ("stated_on", "published_on", "created_at", "updated_at")
# A text cell needs neutralise() only when it starts with one of these.
_RISKY_FIRST = frozenset((*FORMULA_TRIGGERS, "'"))
_ACCEPTED = StanceStatus.ACCEPTED.value
_STREAM = 5000


def export_stances(session: Session, flt: StanceFilter, out: TextIO) -> int:
    """Write the matching stances as CSV; returns the number of rows.

    The cells :func:`tracker.csv_io.write_csv` would write for these records, from plain
    rows streamed through Core: a million stances spend their time in the database and the
    CSV writer, not in building a dict per row. Corroboration is counted alongside
    (:class:`tracker.corroboration.CorroborationWindow`), not by a subquery per row."""
    days = window_days()
    query = _rows_query(session, flt)
    names = [column.name for column in query.selected_columns]
    picks = [names.index(column) for column in COLUMNS if column != "corroboration"]
    times = [COLUMNS.index(column) for column in _TIME_COLUMNS]
    flag = COLUMNS.index("conditional")
    at = {name: names.index(name) for name in ("actor_id", "issue_id", "position", "stated_on")}
    at |= {name: names.index(name) for name in ("status", "source_id", "duplicate_of")}
    window = CorroborationWindow(_accepted_around(session, flt, days), days)
    count_of = window.count
    corroboration = COLUMNS.index("corroboration")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    connection = session.connection().execution_options(yield_per=_STREAM)
    for row in connection.execute(query):
        cells = [row[i] for i in picks]
        for i in times:
            if cells[i] is not None:
                cells[i] = cells[i].isoformat()
        cells[flag] = "true" if cells[flag] else "false"
        story = row[at["duplicate_of"]]
        cells.insert(
            corroboration,
            count_of(
                row[at["actor_id"]],
                row[at["issue_id"]],
                row[at["position"]],
                row[at["stated_on"]],
                row[at["source_id"]] if story is None else story,
                row[at["status"]] == _ACCEPTED,
            ),
        )
        writer.writerow(
            [
                ""
                if v is None
                else neutralise(v)
                if type(v) is str and v[:1] in _RISKY_FIRST
                else v
                for v in cells
            ]
        )
        count += 1
    return count


def _rows_query(session: Session, flt: StanceFilter) -> Select[Any]:
    """:func:`records_query` without its per-row corroboration subquery, plus the ids the
    corroboration window needs."""
    query = records_query(session, flt)
    kept = [c for c in query.selected_columns if c.name != "corroboration"]
    return query.with_only_columns(
        *kept, Stance.actor_id, Stance.issue_id, maintain_column_froms=False
    )


def _accepted_around(
    session: Session, flt: StanceFilter, days: int
) -> Iterator[tuple[int, int, int, Any, int]]:
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
            Stance.position,
            Stance.stated_on,
            func.coalesce(Source.duplicate_of, Source.id),
        )
        .join(Source, Source.id == Stance.source_id)
        .where(Stance.status == _ACCEPTED, *filter_conditions(session, around))
        .order_by(Stance.stated_on)
    )
    connection = session.connection().execution_options(yield_per=_STREAM)
    yield from connection.execute(query).tuples()


def export_stances_to(session: Session, flt: StanceFilter, path: str, *, excel: bool) -> int:
    with atomic_output(path, excel=excel) as out:
        return export_stances(session, flt, out)


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
