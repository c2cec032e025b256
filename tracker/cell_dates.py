"""Dates in CSV cells, as the export writes them and as spreadsheets rewrite them.

The export writes ISO dates (2025-08-18). A spreadsheet that opens the file takes them
for dates and saves them in its region's short form: 8/18/2025 (United States),
18/08/2025 (Britain, France), 18.08.2025 (Germany), 2025/08/18 (Japan). Those are read
back where only one reading makes a date; a day and month that could be either way
round (04/08/2025: 4 August or 8 April) stay :class:`Ambiguous` until the stance it
belongs to says which: a stored stance's own date settles it (the usual case: an export
edited in a spreadsheet and imported again), otherwise it is a problem to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from tracker.errors import TrackerError

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_FIRST = re.compile(r"(?P<y>[0-9]{4})[/.](?P<m>[0-9]{1,2})[/.](?P<d>[0-9]{1,2})")
# Day first with dots (German, Russian, Ukrainian, Polish…): no region writes month first.
_DOTTED = re.compile(r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4})")
# Slashes or hyphens: day first in most of the world, month first in the United States.
_EITHER = re.compile(r"(?P<a>[0-9]{1,2})[/-](?P<b>[0-9]{1,2})[/-](?P<y>[0-9]{2}|[0-9]{4})")
# A date-time cell of midnight, as some spreadsheets save a date: the time is dropped.
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?$")
_HINT = "use YYYY-MM-DD"


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


def read_date(value: str, check: Callable[[dt.date], dt.date]) -> dt.date | Ambiguous:
    """A date cell: ISO, or a spreadsheet's regional form. ``check`` refuses implausible
    days (tracker.dates.plausible_day); a reading it refuses is not a reading."""
    raw = value.strip()
    day = _MIDNIGHT.sub("", raw)
    if _ISO.fullmatch(day):
        try:
            return check(dt.date.fromisoformat(day))
        except ValueError:
            raise TrackerError(f"{value!r} is not a date; {_HINT}") from None
    found = _YEAR_FIRST.fullmatch(day) or _DOTTED.fullmatch(day)
    if found:
        one = _made(found["y"], found["m"], found["d"])
        if one is None:
            raise TrackerError(f"{value!r} is not a date; {_HINT}")
        return check(one)
    found = _EITHER.fullmatch(day)
    if found is None:
        raise TrackerError(f"{value!r} is not a date; {_HINT}")
    if len(found["y"]) == 2:
        raise TrackerError(f"{value!r} has a two-digit year; {_HINT}")
    readings = []
    last_problem = None
    for month, day_of in ((found["b"], found["a"]), (found["a"], found["b"])):
        made = _made(found["y"], month, day_of)
        if made is None:
            continue
        try:
            readings.append(check(made))
        except TrackerError as exc:
            last_problem = exc
    unique = list(dict.fromkeys(readings))
    if not unique:
        raise last_problem or TrackerError(f"{value!r} is not a date; {_HINT}")
    if len(unique) == 1:
        return unique[0]
    return Ambiguous(raw, (unique[0], unique[1]))


def _made(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
