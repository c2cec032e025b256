"""Publication dates stated in an article's text, the date patterns that read them, and
the check that a date given by hand is plausible."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from tracker.errors import TrackerError

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Month names count only capitalised (Dec., December) or in capitals (DEC. 7 datelines):
# "may 4" is a verb. Digits are [0-9] and no pattern starts with a look-behind or \b
# (checked in _matches instead), because Python's re then scans by first character,
# several times faster on a long text.
_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_MONTH = rf"(?P<month>{_MONTH_NAMES}|{_MONTH_NAMES.upper()})\b\.?"
_DAY = r"(?P<day>[0-9][0-9]?)(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<year>[0-9]{4})\b"

# Full dates. Numeric day/month orders other than ISO (04/09/2025) are ambiguous between
# British and American usage, so they are never read.
_FULL_DATES = (
    re.compile(r"(?P<year>(?:19|20)[0-9]{2})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})(?![0-9])"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s+{_YEAR}"),
    re.compile(rf"{_MONTH}\s+{_DAY}\s*,?\s+{_YEAR}"),
)
_MONTH_DAYS = (
    re.compile(rf"{_MONTH}\s+{_DAY}"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}"),
)
_YEAR_AFTER = re.compile(r"\s*,?\s*[0-9]{4}\b")
# A four-digit number standing alone: not part of 12,000 / $2000 / 3.2025 / 20250.
_BARE_YEAR = re.compile(r"(?:19|20)[0-9]{2}(?![0-9]|[.,][0-9])")
_NOT_BEFORE_YEAR = frozenset("$£€.,/:")

_LABELLED = re.compile(
    r"^\s*(?:first\s+)?(?:published(?:\s+on)?|publication\s+date|posted(?:\s+on)?"
    r"|date(?:d|\s+published)?)\s*[:\-–—]?\s*"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?",
    re.IGNORECASE,
)
_LABEL_LINES = 5
_EARLIEST_YEAR = 1990


def find_published(text: str, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The publication date stated in a text, and how it was found.

    In order: a date after a label ("date", "published", "posted") on the first lines; the
    first full date in the text (2025-09-04, 4 September 2025, Sept. 4, 2025); the first
    month and day without a year ("the Dec. 7 discussions"), with the year taken from the
    latest year mentioned that puts it in the past. Dates outside 1990..``today`` are
    skipped: they are history or plans, not the publication. Weekday names ("on Friday")
    are never turned into dates. Returns ``(None, "")`` when nothing qualifies.
    """
    today = today or dt.date.today()
    for find in (labelled_date, _first_full_date, _month_day_in_latest_year):
        found = find(text, today)
        if found is not None:
            return found
    return None, ""


def labelled_date(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    """A date after a label ("date", "published", "posted") on the first lines, if any."""
    lines = [line for line in text.split("\n", 50) if line.strip()][:_LABEL_LINES]
    for line in lines:
        label = _LABELLED.match(line)
        if label is None:
            continue
        for pattern in _FULL_DATES:
            found = pattern.match(line, label.end())
            date = _date_of(found, today) if found else None
            if found and date:
                quoted = line[: found.end()].strip()
                return date, f"stated in the text: '{quoted}'"
    return None


def _first_full_date(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    earliest: tuple[int, dt.date, str] | None = None
    for pattern in _FULL_DATES:
        for found in _matches(pattern, text):
            date = _date_of(found, today)
            if date is not None:
                if earliest is None or found.start() < earliest[0]:
                    earliest = (found.start(), date, found.group(0))
                break  # later matches of this pattern cannot be earlier
    if earliest is None:
        return None
    return earliest[1], f"stated in the text: '{earliest[2]}'"


def _month_day_in_latest_year(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    years = sorted(
        {
            int(found.group(0))
            for found in _matches(_BARE_YEAR, text)
            if text[found.start() - 1 : found.start()] not in _NOT_BEFORE_YEAR
            and _EARLIEST_YEAR <= int(found.group(0)) <= today.year
        },
        reverse=True,
    )
    if not years:
        return None
    for found in sorted(_month_days(text), key=lambda found: found.start()):
        for year in years:
            date = _valid_date(year, _month_number(found), int(found.group("day")), today)
            if date is not None:
                return date, (
                    f"stated in the text: '{found.group(0)}', year taken from '{year}' in the text"
                )
    return None


def _month_days(text: str) -> Iterator[re.Match[str]]:
    """Month-and-day mentions that are not followed by a year."""
    for pattern in _MONTH_DAYS:
        for found in _matches(pattern, text):
            # "Dec. 7, 2031" is a full date rejected as implausible, not a month and day.
            if not _YEAR_AFTER.match(text, found.end()):
                yield found


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches that start a word (the leading \\b the patterns leave out for speed)."""
    for found in pattern.finditer(text):
        if not text[found.start() - 1 : found.start()].isalnum():
            yield found


def _date_of(found: re.Match[str], today: dt.date) -> dt.date | None:
    month = _month_number(found)
    return _valid_date(int(found.group("year")), month, int(found.group("day")), today)


def _month_number(found: re.Match[str]) -> int:
    month = found.group("month")
    return int(month) if month.isdigit() else _MONTHS[month.lower()]


def _valid_date(year: int, month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if dt.date(_EARLIEST_YEAR, 1, 1) <= date <= today else None


def parse_any_date(value: str) -> dt.date | None:
    """A date written in any of the full forms find_published reads (front matter)."""
    for pattern in _FULL_DATES:
        for found in _matches(pattern, value):
            date = _date_of(found, dt.date.max)
            if date:
                return date
    return None


def is_date_line(line: str) -> bool:
    """A line that is nothing but a date or a month and day (a story's time stamp)."""
    return any(p.fullmatch(line) for p in (*_FULL_DATES, *_MONTH_DAYS))


# No negotiation the tracker follows was reported before this; a spreadsheet's empty or
# zero date (0001-01-01, 1899-12-30) would stretch every timeline back to it.
EARLIEST = dt.date(1900, 1, 1)


def plausible_day(day: dt.date, what: str) -> dt.date:
    """``day``, unless it is before 1900 or after tomorrow in UTC (already today east of
    UTC): a mistyped year would stretch every timeline to it. ``what`` names the date."""
    if day > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        raise TrackerError(f"the date {day.isoformat()} is in the future; give {what}")
    if day < EARLIEST:
        raise TrackerError(f"the date {day.isoformat()} is before 1900; give {what}")
    return day
