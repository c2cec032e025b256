"""Text from the database or typed by an analyst is shown literally on every page (AppTest):
names, quotes and labels with Markdown or HTML in them never turn into markup, and input
the services refuse is explained instead of crashing the page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import md_escape
from tests.factories import make_actor, make_source, sign_in
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.issues import IssueRow, save_issue
from tracker.stances import StanceChanges, record_stance, update_stance

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
ALL_PAGES = sorted(p.name for p in VIEWS.glob("*.py") if p.name != "__init__.py")

NAME = "**Bold** [link](http://x) <b>x</b>"
ISSUE = "_Issue_ `code` <i>i</i> [go](http://x)"
LABEL = "# Heading ![img](http://evil/x.png)"
# Streamlit's own directives and an HTML entity too: shown as typed, not red, an icon or ©.
QUOTE = "say **yes** to [peace](http://x) <i>now</i> :red[NO] :material/warning: &copy;"
TEXT = f"Kyiv, Monday. The minister said: {QUOTE}. Later, again: {QUOTE}. Nothing else."
SLUG = "hostile"
DAY = dt.date(2025, 8, 13)


def shown(value: str) -> str:
    """What the reader sees of escaped Markdown: the characters, without the backslashes."""
    return re.sub(r"\\(.)", r"\1", value)


def literal(text: str, value: str) -> bool:
    """``text`` is in ``value`` escaped (shown as typed), never as raw Markdown or HTML."""
    return md_escape(text) in value and text not in value


@pytest.fixture
def hostile_url(db_url: str) -> str:
    """A party, an issue, a source and stances whose text is Markdown and HTML."""
    engine = make_engine(db_url)
    with transaction(engine) as s:
        party = make_actor(s, NAME, kind="coalition")
        member = make_actor(s, "Plain Member", party=party)
        issue, _ = save_issue(
            s, IssueRow(SLUG, ISSUE, labels={p: f"{LABEL} {p}" for p in range(-2, 3)})
        )
        source = make_source(s, TEXT, title=NAME, published_on=DAY)
        first = TEXT.index(QUOTE)
        common = {"issue": issue, "source": source, "quote": QUOTE, "annotator": "ana"}
        record_stance(s, actor=party, position=2, quote_start=first, **common)
        record_stance(s, actor=member, position=-1, quote_start=first, **common)
        suggested = record_stance(
            s,
            actor=member,
            position=1,
            quote_start=TEXT.index(QUOTE, first + 1),
            status="suggested",
            origin="suggestion",
            **common,
        )
        s.flush()
        assert suggested.version == 1
    engine.dispose()
    return db_url


def open_page(page: str, url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(str(VIEWS / page), default_timeout=60)
    sign_in(at, url)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def messages(at: AppTest) -> list[str]:
    """Everything a page says in Markdown: messages, captions, headings, expanders."""
    kinds = ("error", "warning", "info", "success", "caption", "markdown", "subheader", "title")
    found = [el.value for kind in kinds for el in getattr(at, kind)]
    return found + [e.label for e in at.expander]


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_renders_hostile_text_without_errors(
    page: str, hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(page, hostile_url, monkeypatch)
    assert not at.error, [e.value for e in at.error]
    for value in messages(at):
        for text in (NAME, ISSUE, LABEL, QUOTE):
            assert text not in value, (text, value)


@pytest.mark.usefixtures("dashboard_env")
def test_tag_page_escapes_labels_snippets_and_errors(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("tag.py", hostile_url, monkeypatch)
    # Slider labels are Markdown: the issue's wording is shown as written.
    at.selectbox(key="tag_issue").select(SLUG).run()
    options = at.select_slider(key="tag_position").options
    assert options[-1] == f"+2 {md_escape(LABEL)} 2" and shown(options[-1]) == f"+2 {LABEL} 2"
    # The passage occurs twice: the choice shows the source text around it, escaped.
    at.text_area(key="tag_quote").input(QUOTE).run()
    occurrences = at.radio(key="tag_occ").options
    assert len(occurrences) == 2 and all(literal(QUOTE, o) for o in occurrences)
    assert any(literal(NAME, e.label) for e in at.expander)  # the stances already tagged
    # A refused save quotes the name the analyst typed (another actor's, in capitals).
    at.selectbox(key="tag_actor").select("(new actor…)").run()
    at.text_input(key="tag_new_name").input(NAME.upper())
    at.button(key="tag_save").click().run()
    assert not at.exception
    (error,) = at.error
    assert literal(NAME.upper(), error.value) and literal(NAME, error.value)


@pytest.mark.usefixtures("dashboard_env")
def test_review_page_escapes_labels_and_a_conflict(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("review.py", hostile_url, monkeypatch)
    (slider,) = at.select_slider
    assert slider.options[0] == f"-2 {md_escape(f'{LABEL} -2')}"
    stance_id = int(slider.key.split("_")[1])
    engine = make_engine(hostile_url)
    with transaction(engine) as s:  # a colleague corrects it while it is on screen
        update_stance(s, stance_id, StanceChanges(position=2), annotator="bo", expected_version=1)
    engine.dispose()
    at.button(key=f"review_{stance_id}_reject").click().run()
    assert not at.exception
    (error,) = at.error
    assert "was changed by bo" in shown(error.value) and literal(f"{LABEL} 2", error.value)
    # Refused once, with the news; the analyst, now shown bo's version, can still reject it.
    at.button(key=f"review_{stance_id}_reject").click().run()
    assert not at.error and "Rejected" in at.success[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_taxonomy_page_escapes_a_refused_name(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("taxonomy.py", hostile_url, monkeypatch)
    at.text_input(key="add_actor_name").input(NAME.upper())  # another actor's, in capitals
    at.button(key="add_actor_save").click().run()
    assert not at.exception
    (error,) = at.error
    assert literal(NAME.upper(), error.value) and literal(NAME, error.value)
    assert "already names actor" in shown(error.value)


@pytest.mark.usefixtures("dashboard_env")
def test_reports_page_escapes_the_week_typed_and_the_report(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("reports.py", hostile_url, monkeypatch)
    at.text_input(key="report_week").input(NAME).run()
    (error,) = at.error
    assert literal(NAME, error.value) and "use an ISO week" in shown(error.value)
    at.text_input(key="report_week").input("2025-W33").run()
    preview = " ".join(m.value for m in at.markdown)
    assert "Plain Member" in preview
    for text in (NAME, QUOTE):
        assert text not in preview and text in shown(preview)


@pytest.mark.usefixtures("dashboard_env")
def test_analysis_pages_escape_names_in_their_messages(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = open_page("matrix.py", hostile_url, monkeypatch)
    matrix.selectbox(key="mx_cell").select(f"{NAME} × {ISSUE}").run()
    assert any(literal(NAME, c.value) and literal(ISSUE, c.value) for c in matrix.caption)

    profile = open_page("profile.py", hostile_url, monkeypatch)
    profile.radio(key="pr_kind").set_value("Party").run()
    profile.selectbox(key="pr_party").select(NAME).run()
    assert any(literal(NAME, c.value) for c in profile.caption)
    profile.multiselect(key="pr_status").set_value(["rejected"]).run()
    assert literal(NAME, profile.info[0].value)

    timeline = open_page("timeline.py", hostile_url, monkeypatch)
    timeline.multiselect(key="tl_status").set_value(["rejected"]).run()
    assert literal(ISSUE, timeline.info[0].value)

    engine = make_engine(hostile_url)
    with transaction(engine) as s:
        make_actor(s, "Outsider")
    engine.dispose()
    gap = open_page("gap.py", hostile_url, monkeypatch)
    gap.multiselect(key="gp_side_a").set_value([NAME])
    gap.multiselect(key="gp_side_b").set_value([NAME]).run()
    assert literal(NAME, gap.warning[0].value)
    gap.multiselect(key="gp_side_b").set_value(["Plain Member"]).run()  # a member of NAME
    assert literal(NAME, gap.warning[0].value) and "counted on both sides" in gap.warning[0].value
    gap.multiselect(key="gp_side_b").set_value(["Outsider"])
    gap.multiselect(key="gp_status").set_value(["rejected"]).run()
    assert literal(ISSUE, gap.info[0].value)
    for at in (matrix, profile, timeline, gap):
        assert not at.exception and not at.error, [e.value for e in at.error]


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("query", ["!!!", '" "', "**", " ? "])
def test_a_search_with_no_words_is_explained(
    query: str, hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("sources.py", hostile_url, monkeypatch)
    at.text_input(key="source_query").input(query).run()
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = at.warning
    assert "search" in warning.value and not at.dataframe
    if query.strip() in shown(warning.value):  # the message quotes the search: as typed
        assert md_escape(query.strip()) in warning.value


@pytest.mark.usefixtures("dashboard_env")
def test_a_search_of_spaces_lists_every_source(
    hostile_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("sources.py", hostile_url, monkeypatch)
    at.text_input(key="source_query").input("   ").run()
    assert not at.exception and not at.warning
    assert list(at.dataframe[0].value["title"]) == [NAME]  # a table cell: plain text
