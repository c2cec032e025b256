"""Splitting trailing related stories and page furniture off the end of an article."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.related import split_related

BODY = "The talks went on late into the night and ended without agreement on the text. " * 4


def test_marker_near_the_top_does_not_cut() -> None:
    text = f"Headline about the talks\nRelated\n{BODY}\n{BODY}\n"
    assert split_related(text) == (text, [], [])


def test_marker_case_punctuation_and_counts_are_ignored() -> None:
    for marker in ("READ MORE »", "Comments (12)", "You may also like:", "More from Reuters"):
        main, related, dropped = split_related(f"{BODY}\n{BODY}\n{marker}\nLog in to comment")
        assert main == f"{BODY}\n{BODY}".rstrip()
        assert related == [] and dropped == [marker, "Log in to comment"]


def test_a_marker_inside_a_sentence_is_not_a_marker() -> None:
    text = f"{BODY}\n{BODY}\nRelated: what a ceasefire line would look like\nMore text."
    assert split_related(text)[0] == text


def test_story_header_separated_from_its_body_and_a_headerless_paragraph() -> None:
    tail = (
        "Most read\n\nKyiv Post\n3 hours ago\nEnergy talks resume in Vienna\n\n"
        f"{BODY}\n\n{BODY}\n\nNewsletter\n"
    )
    main, related, dropped = split_related(f"{BODY}\n{BODY}\n\n{tail}")
    assert main == f"{BODY}\n{BODY}".rstrip()
    assert len(related) == 1
    assert related[0].title == "Energy talks resume in Vienna"
    assert related[0].outlet == "Kyiv Post"
    assert related[0].text == f"{BODY.strip()}\n\n{BODY.strip()}"
    assert dropped == ["Most read", "Newsletter"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", ".", "\n", "Related", "Comments"])).map("".join))
def test_split_related_only_cuts_the_end(text: str) -> None:
    main, related, dropped = split_related(text)
    assert text.startswith(main)
    if main != text:
        # The marker line starts after the first 30% of the text; the main text is trimmed.
        assert len(text) - len(text[len(main) :].lstrip()) >= 0.3 * len(text)
        assert main == main.rstrip()
    else:
        assert related == [] and dropped == []
