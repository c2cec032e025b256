"""Finding the publication date stated in an article's text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import find_published

TODAY = dt.date(2025, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected", "basis"),
    [
        ("Talks resumed. 2025-09-04 was a Thursday.", "2025-09-04", "'2025-09-04'"),
        ("Leaders met on 4 September 2025 in Paris.", "2025-09-04", "'4 September 2025'"),
        ("Leaders met on September 4, 2025 in Paris.", "2025-09-04", "'September 4, 2025'"),
        ("GENEVA, Sept. 4, 2025 (Wire) - Leaders met.", "2025-09-04", "'Sept. 4, 2025'"),
        ("Talks on Dec. 7, 2024 in Paris.", "2024-12-07", "'Dec. 7, 2024'"),
        ("On 4th of September, 2025 they met.", "2025-09-04", "'4th of September, 2025'"),
        # The first date in the text wins, not the newest.
        ("On 3 June 2025 they met; on 1 May 2025 they had talked.", "2025-06-03", "'3 June 2025'"),
        # Published label on the first lines beats an earlier date in the prose.
        ("The 2 September 2025 talks\nPublished: 4 September 2025", "2025-09-04", "Published"),
        ("The Dec. 7 talks. Putin in 2024 was not as in 2017.", "2024-12-07", "from '2024'"),
        ("Talks since 7 December 2019 and in 2024.", "2019-12-07", "'7 December 2019'"),
    ],
)
def test_find_published(text: str, expected: str, basis: str) -> None:
    published_on, found_basis = find_published(text, today=TODAY)
    assert published_on == dt.date.fromisoformat(expected)
    assert found_basis.startswith("stated in the text: ")
    assert basis in found_basis


@pytest.mark.parametrize(
    "text",
    [
        "The call on Wednesday came before the summit on Friday.",
        "According to sources familiar with the Dec. 7 discussions.",  # no year anywhere
        "Russia invaded in June 2022 and annexed Crimea in 2014.",  # month and year, no day
        "The treaty of 22 June 1941 is history, not the publication date.",
        "A deadline of 1 January 2031 was set.",  # the future is a plan, not a publication
        "Officials said they may 4 times reconsider. 2024 was hard.",  # "may" is a verb
        "It costs $2024 for 12,000 troops on 31 February 2025.",
    ],
)
def test_find_published_does_not_invent_a_date(text: str) -> None:
    assert find_published(text, today=TODAY) == (None, "")


def test_year_is_inferred_only_where_it_keeps_the_date_in_the_past() -> None:
    text = "The Dec. 7 meeting was recalled in 2025, a year after 2024's talks."
    assert find_published(text, today=dt.date(2025, 11, 23))[0] == dt.date(2024, 12, 7)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_find_published_is_total(text: str) -> None:
    published_on, basis = find_published(text, today=TODAY)
    assert (published_on is None) == (basis == "")
    if published_on is not None:
        assert dt.date(1990, 1, 1) <= published_on <= TODAY
