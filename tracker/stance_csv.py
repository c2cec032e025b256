"""Stances out to CSV: the documented columns, streamed, spreadsheet-safe.

Export streams the shared flat query (tracker.stance_query) through the neutralising CSV
writer (tracker.csv_io), so memory stays flat however many stances there are. Importing
lives in tracker.stance_import.
"""

from __future__ import annotations

import io
from typing import TextIO

from sqlalchemy.orm import Session

from tracker.csv_io import atomic_output, write_csv
from tracker.stance_query import COLUMNS, StanceFilter, iter_stance_records


def export_stances(session: Session, flt: StanceFilter, out: TextIO) -> int:
    """Write the matching stances as CSV; returns the number of rows."""
    return write_csv(out, COLUMNS, iter_stance_records(session, flt))


def export_stances_to(session: Session, flt: StanceFilter, path: str, *, excel: bool) -> int:
    with atomic_output(path, excel=excel) as out:
        return export_stances(session, flt, out)


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
