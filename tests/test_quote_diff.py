"""A quote that is not in its source's text is refused with where it parts from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import TrackerError
from tracker.quote_diff import MIN_SHARED, where_it_differs
from tracker.stances import locate_quote

TEXT = (
    "Zelensky said on Tuesday that Ukraine’s position on the territories is unchanged "
    "and that no land swap is on the table."
)


class _Source:
    id = 3
    title = "Talks in Geneva"
    text = TEXT


def test_a_changed_word_is_shown_against_the_texts() -> None:
    said = where_it_differs(TEXT, "Zelensky said on Tuesday that Kyiv’s position")
    assert said == (
        "it matches the text up to '…ky said on Tuesday that ', then the quote has "
        "'Kyiv’s position' where the text has 'Ukraine’s position on th'"
    )


def test_a_straight_apostrophe_for_a_curly_one_is_named() -> None:
    """The two look alike on screen: the message names them."""
    said = where_it_differs(TEXT, "Ukraine's position on the territories is unchanged")
    assert said is not None
    assert "the quote has \"Ukraine'\" where the text has 'Ukraine’'" in said
    assert "(the quote has apostrophe \"'\", the text right single quotation mark '’')" in said


def test_a_no_break_space_is_named() -> None:
    said = where_it_differs(TEXT, "Zelensky said on\u00a0Tuesday that Ukraine")
    assert said is not None and "the quote has no-break space, the text space" in said


def test_a_quote_from_another_text_says_so() -> None:
    assert where_it_differs(TEXT, "The ministry denied any such talks took place") is None
    with pytest.raises(TrackerError, match="no part of it is in that text: is it the right"):
        locate_quote(_Source(), "The ministry denied any such talks took place")


def test_an_offset_that_missed_names_where_the_quote_is() -> None:
    with pytest.raises(TrackerError, match="at offset 5: .*; the text has it at offset 30$"):
        locate_quote(_Source(), "Ukraine’s position", 5)


def test_the_refusal_says_where_the_quote_differs() -> None:
    with pytest.raises(TrackerError) as refused:
        locate_quote(_Source(), "no land swap is off the table.")
    assert str(refused.value) == (
        "the quote is not in the text of source 3 ('Talks in Geneva'): "
        "'no land swap is off the table.'; it matches the text up to 'no land swap is o', "
        "then the quote has 'ff the table.' where the text has 'n the table.'"
    )


@given(st.integers(0, len(TEXT) - 40), st.integers(MIN_SHARED, 30), st.characters())
def test_one_changed_character_is_found_where_it_is(start: int, at: int, char: str) -> None:
    """Any passage with one character replaced: the difference shown starts with it."""
    passage = TEXT[start : start + 40]
    if passage[at] == char:
        return
    quote = passage[:at] + char + passage[at + 1 :]
    if quote[: at + 1] in TEXT:  # the changed start is elsewhere in the text
        return
    said = where_it_differs(TEXT, quote)
    assert said is not None
    assert f"then the quote has {quote[at : at + 24]!r}" in said


def test_a_short_quote_one_character_off_is_shown() -> None:
    said = where_it_differs(TEXT, "Ukraine's position")
    assert said is not None and "the quote has apostrophe" in said


def test_a_line_break_for_a_space_is_named() -> None:
    said = where_it_differs(TEXT, "Zelensky said on Tuesday\r\nthat Ukraine")
    assert said is not None and "(the quote has carriage return, the text space)" in said
