"""Stances out to CSV: the documented columns, streamed, spreadsheet-safe.

Export streams the shared flat query (tracker.stance_query) through the neutralising CSV
writer (tracker.csv_io), so memory stays flat however many stances there are. Importing
lives in tracker.stance_import.
"""

from __future__ import annotations

import csv
import io
from typing import TextIO

from sqlalchemy.orm import Session

from tracker.csv_io import FORMULA_TRIGGERS, atomic_output, neutralise
from tracker.stance_query import COLUMNS, StanceFilter, records_query

_TIME_COLUMNS = ("stated_on", "published_on", "created_at", "updated_at")
# A text cell needs neutralise() only when it starts with one of these.
_RISKY_FIRST = frozenset((*FORMULA_TRIGGERS, "'"))


def export_stances(session: Session, flt: StanceFilter, out: TextIO) -> int:
    """Write the matching stances as CSV; returns the number of rows.

    The cells :func:`tracker.csv_io.write_csv` would write for these records, from plain
    rows streamed through Core: a million stances spend their time in the database and the
    CSV writer, not in building a dict per row."""
    query = records_query(session, flt)
    names = [column.name for column in query.selected_columns]
    picks = [names.index(column) for column in COLUMNS]
    times = [COLUMNS.index(column) for column in _TIME_COLUMNS]
    flag = COLUMNS.index("conditional")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    result = session.connection().execution_options(yield_per=5000).execute(query)
    for row in result:
        cells = [row[i] for i in picks]
        for i in times:
            if cells[i] is not None:
                cells[i] = cells[i].isoformat()
        cells[flag] = "true" if cells[flag] else "false"
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


def export_stances_to(session: Session, flt: StanceFilter, path: str, *, excel: bool) -> int:
    with atomic_output(path, excel=excel) as out:
        return export_stances(session, flt, out)


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
