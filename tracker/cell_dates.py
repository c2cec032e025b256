"""Dates in CSV cells, as the export writes them and as spreadsheets rewrite them.

The export writes ISO dates (2025-08-18). A spreadsheet that opens the file takes them
for dates and saves them in its region's short form: 8/18/2025 (United States),
18/08/2025 (Britain, France), 18.08.2025 (Germany), 2025/08/18 (Japan). Those are read
back. A day and month that could be either way round (04/08/2025: 4 August or 8 April)
read in the order the file's other dates show (18/08/2025 is day first, 8/18/2025 month
first: :func:`order_in`); in a file that shows none they stay :class:`Ambiguous` until
the stance they belong to says which: a stored stance's own date settles it (an export
edited in a spreadsheet and imported again), otherwise it is a problem to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.errors import TrackerError

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}")  # 2025-08-18, 20250818
_YEAR_FIRST = re.compile(r"(?P<y>[0-9]{4})(?P<s>[/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})")
# Day first with dots (German, Russian, Ukrainian, Polish…): no region writes month first.
_DOTTED = re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{2}|[0-9]{4})")
# Slashes or hyphens: day first in most of the world, month first in the United States.
_EITHER = re.compile(r"(?P<a>[0-9]{1,2})(?P<s>[/-])(?P<b>[0-9]{1,2})(?P=s)(?P<y>[0-9]{2}|[0-9]{4})")
# A date-time cell of midnight, as some spreadsheets save a date: the time is dropped.
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?$")
_HINT = "use YYYY-MM-DD"
DAY_FIRST, MONTH_FIRST = "day first", "month first"


@dataclass(frozen=True)
class Ambiguous:
    """A cell such as ``04/08/2025`` that is a date either way round."""

    raw: str
    readings: tuple[dt.date, dt.date]  # day first, then month first

    def problem(self) -> str:
        first, second = (f"{d:%d %B %Y}".lstrip("0") for d in self.readings)
        return (
            f"{self.raw!r} could be {first} or {second} (a spreadsheet wrote the date in its "
            f"region's order): {_HINT}"
        )

    def settled_by(self, stored: dt.date) -> dt.date | None:
        """The reading that is the stored stance's date, if one is."""
        return stored if stored in self.readings else None


def read_date(
    value: str, check: Callable[[dt.date], dt.date], order: str | None = None
) -> dt.date | Ambiguous:
    """A date cell: ISO, or a spreadsheet's regional form. ``check`` refuses implausible
    days (tracker.dates.plausible_day). ``order`` (:data:`DAY_FIRST` or
    :data:`MONTH_FIRST`, from :func:`order_in` the file's other cells) reads 04/08/2025;
    without it that cell is :class:`Ambiguous`."""
    day = _MIDNIGHT.sub("", value.strip())
    if _ISO.fullmatch(day):
        try:
            return check(dt.date.fromisoformat(day))
        except ValueError:
            raise TrackerError(f"{value!r} is not a date; {_HINT}") from None
    found = _YEAR_FIRST.fullmatch(day) or _DOTTED.fullmatch(day)
    if found is None:
        found = _EITHER.fullmatch(day)
        if found is None:
            raise TrackerError(f"{value!r} is not a date; {_HINT}")
    if len(found["y"]) == 2:
        raise TrackerError(f"{value!r} has a two-digit year; {_HINT}")
    if "a" not in found.groupdict():  # year first, or dotted: one order only
        return check(_made(value, found["y"], found["m"], found["d"]))
    day_first = _valid(found["y"], found["b"], found["a"])
    month_first = _valid(found["y"], found["a"], found["b"])
    if order is not None:
        chosen = day_first if order == DAY_FIRST else month_first
        if chosen is None:
            raise TrackerError(
                f"{value!r} is not a date written {order}, as the file's other dates are; {_HINT}"
            )
        return check(chosen)
    if day_first and month_first and day_first != month_first:
        return Ambiguous(value.strip(), (day_first, month_first))
    one = day_first or month_first
    if one is None:
        raise TrackerError(f"{value!r} is not a date; {_HINT}")
    return check(one)


def order_of(value: str) -> str | None:
    """The order a cell shows its day and month in, when only one reading is a date
    (18/08/2025: day first; 8/18/2025: month first)."""
    found = _EITHER.fullmatch(_MIDNIGHT.sub("", value.strip()))
    if found is None or len(found["y"]) == 2:
        return None
    day_first = _valid(found["y"], found["b"], found["a"])
    month_first = _valid(found["y"], found["a"], found["b"])
    if day_first and not month_first:
        return DAY_FIRST
    if month_first and not day_first:
        return MONTH_FIRST
    return None


def order_in(cells: Iterable[str]) -> str | None:
    """The order a file's date cells are written in, if they show one and only one."""
    seen = {order for cell in cells if (order := order_of(cell)) is not None}
    return seen.pop() if len(seen) == 1 else None


def _valid(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _made(value: str, year: str, month: str, day: str) -> dt.date:
    made = _valid(year, month, day)
    if made is None:
        raise TrackerError(f"{value!r} is not a date; {_HINT}")
    return made
