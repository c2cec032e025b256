"""Date cells as the export writes them and as spreadsheets save them again."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.cell_dates import DAY_FIRST, MONTH_FIRST, Ambiguous, order_in, read_date
from tracker.errors import TrackerError
from tracker.stances import check_stated_on

AUGUST_18 = dt.date(2025, 8, 18)


@pytest.mark.parametrize(
    "cell",
    ["2025-08-18", "8/18/2025", "18/08/2025", "18.08.2025", "2025/08/18", "18-08-2025",
     "2025-08-18 00:00:00", "2025-08-18T00:00", " 18/8/2025 ", "20250818"],
)  # fmt: skip
def test_one_reading_is_read(cell: str) -> None:
    assert read_date(cell, check_stated_on) == AUGUST_18


def test_a_day_and_month_either_way_round_wait_for_the_stored_date() -> None:
    cell = read_date("04/08/2025", check_stated_on)
    assert cell == Ambiguous("04/08/2025", (dt.date(2025, 8, 4), dt.date(2025, 4, 8)))
    assert isinstance(cell, Ambiguous)
    assert cell.settled_by(dt.date(2025, 4, 8)) == dt.date(2025, 4, 8)
    assert cell.settled_by(dt.date(2025, 4, 9)) is None


def test_the_files_own_order_reads_a_date_either_way_round() -> None:
    """A file whose other dates show the order (18/08/2025: day first) reads 04/08/2025
    that way: an edit that swaps day and month is an edit, not the stored date."""
    assert order_in(["2025-08-18", "04/08/2025", "18/08/2025", ""]) == DAY_FIRST
    assert order_in(["8/18/2025", "4/8/2025"]) == MONTH_FIRST
    assert order_in(["04/08/2025", "2025-08-18"]) is None  # nothing shows it
    assert order_in(["18/08/2025", "8/18/2025"]) is None  # both: not one spreadsheet's
    assert read_date("04/08/2025", check_stated_on, DAY_FIRST) == dt.date(2025, 8, 4)
    assert read_date("04/08/2025", check_stated_on, MONTH_FIRST) == dt.date(2025, 4, 8)
    with pytest.raises(TrackerError, match="not a date written day first, as the file's other"):
        read_date("8/18/2025", check_stated_on, DAY_FIRST)


def test_which_reading_is_plausible_does_not_choose() -> None:
    """Were a reading in the future dropped, the same cell would read one way or the
    other depending on the day of the import."""

    def before_june(day: dt.date) -> dt.date:
        if day >= dt.date(2025, 6, 1):
            raise TrackerError(f"the date {day} is in the future")
        return day

    assert isinstance(read_date("04/08/2025", before_june), Ambiguous)
    with pytest.raises(TrackerError, match="the date 2025-08-04 is in the future"):
        read_date("04/08/2025", before_june, DAY_FIRST)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("18th of August", "is not a date; use YYYY-MM-DD"),
        ("2025-02-30", "is not a date"),
        ("31/02/2025", "is not a date"),
        ("18/08/25", "has a two-digit year"),
        ("18.08.25", "has a two-digit year"),
        ("18/08-2025", "is not a date"),  # two separators: not a spreadsheet's date
        ("18/08/2025 09:30", "is not a date"),
        ("18/08/1850", "before 1900"),
    ],
)
def test_what_is_not_a_date_says_so(cell: str, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        read_date(cell, check_stated_on)


@given(st.dates(dt.date(1900, 1, 1), dt.date.today()))
def test_every_regions_form_reads_back_to_the_day(day: dt.date) -> None:
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%-m/%-d/%Y"):
        cell = read_date(day.strftime(form), check_stated_on)
        if isinstance(cell, Ambiguous):
            assert cell.settled_by(day) == day and day.day <= 12 and day.month != day.day
        else:
            assert cell == day
