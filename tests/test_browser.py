"""End-to-end: the Stances, Sources and Actors & issues pages on the seeded demo, in a real
headless Chromium (fixtures and helpers in tests/browser.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser import (
    Dashboard,
    assert_no_errors,
    choose,
    grid_rows,
    open_signed_in,
    screenshot,
    serving,
    sign_in,
    wait_idle,
)
from tracker.db import make_engine, transaction
from tracker.sources import get_source, list_sources
from tracker.stance_query import StanceFilter
from tracker.stances import list_stances

pytest_plugins = ["tests.browser"]  # the dashboard, browser and page fixtures

# The seeded demo (tracker/seeds): the filter used on the Stances page, and the source read
# on the Sources page (a sentence from seeds/articles/001_*.txt).
ACTOR, ISSUE = "Donald Trump", "ceasefire-first"
CHOSEN_SOURCE_TITLE = "Zelenskiy made case for security guarantees at meeting with Trump"
CHOSEN_SOURCE_SENTENCE = "Some key points were mentioned during the meeting"

PAGES = {"Stances": "", "Sources": "sources", "Actors & issues": "taxonomy"}


def _open(page: Page, dashboard: Dashboard, title: str) -> None:
    """Load a page by its URL and wait for its title and for the script to finish."""
    open_signed_in(page, dashboard, PAGES[title])
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_idle(page)


def _expected_stances(db_url: str, flt: StanceFilter) -> list[int]:
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            return [s.id for s in list_stances(session, flt)]
    finally:
        engine.dispose()


# --- tests -----------------------------------------------------------------------------------


def test_stances_page_lists_the_demo_and_filters(page: Page, dashboard: Dashboard) -> None:
    accepted = _expected_stances(dashboard.db_url, StanceFilter(status="accepted"))
    trump = _expected_stances(
        dashboard.db_url, StanceFilter(actor=ACTOR, issue=ISSUE, status="accepted")
    )
    assert len(accepted) > len(trump) > 1, "the demo should hold several such stances"

    _open(page, dashboard, "Stances")  # the default page, at the root URL
    # The count under the filters (the import form above has a caption of its own).
    caption = page.get_by_test_id("stCaptionContainer").filter(
        has_text=re.compile(r"^\d+ stances$")
    )
    expect(caption).to_have_text(f"{len(accepted)} stances")
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()

    choose(page, "Issue", ISSUE)
    choose(page, "Actor", ACTOR)
    expect(caption).to_have_text(f"{len(trump)} stances")
    wait_idle(page)

    rows = grid_rows(page.get_by_test_id("stDataFrame"), len(trump))
    assert [int(r["ID"]) for r in rows] == trump
    assert {(r["actor"], r["issue"]) for r in rows} == {(ACTOR, ISSUE)}
    assert all(r["Meaning"] for r in rows), rows
    assert_no_errors(page, "Stances")
    screenshot(page, "stances.png")


def test_sources_page_shows_the_list_and_a_source_text(page: Page, dashboard: Dashboard) -> None:
    engine = make_engine(dashboard.db_url)
    try:
        with transaction(engine) as session:
            listing = [(src.id, src.title) for src, _ in list_sources(session)]
            chosen_id = next(i for i, title in listing if title == CHOSEN_SOURCE_TITLE)
            chosen_text = get_source(session, chosen_id).text
            newest_text = get_source(session, listing[0][0]).text
    finally:
        engine.dispose()
    assert CHOSEN_SOURCE_SENTENCE in chosen_text

    _open(page, dashboard, "Stances")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sources").click()
    expect(page.get_by_role("heading", name="Sources", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/sources$"))
    wait_idle(page)

    rows = grid_rows(page.get_by_test_id("stDataFrame"), len(listing))
    assert [(int(r["ID"]), r["Title"]) for r in rows] == listing

    # The newest source is open by default; then read the chosen one.
    source_text = page.get_by_test_id("stText")
    expect(source_text).to_contain_text(newest_text.strip().splitlines()[0].strip())
    choose(page, "Read a source", f"#{chosen_id} {CHOSEN_SOURCE_TITLE}")
    expect(page.get_by_role("heading", name=CHOSEN_SOURCE_TITLE, level=3)).to_be_visible()
    expect(source_text).to_contain_text(CHOSEN_SOURCE_SENTENCE)
    wait_idle(page)

    # Plain text: no markup rendered from the article, and every line of it shown.
    assert source_text.locator("a, strong, em, code, h1, h2, h3, li, img").count() == 0
    shown = source_text.inner_text()
    for line in filter(None, (ln.strip() for ln in chosen_text.splitlines())):
        assert line in shown, f"source text line not shown: {line!r}"
    assert_no_errors(page, "Sources")
    screenshot(page, "sources.png")


def test_every_page_renders_without_errors(page: Page, dashboard: Dashboard) -> None:
    for title in PAGES:
        _open(page, dashboard, title)
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        assert_no_errors(page, title)
    # Through the sidebar as well as by URL.
    for title in ("Actors & issues", "Sources", "Stances", "Actors & issues"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        wait_idle(page)
        assert_no_errors(page, f"{title} (through the sidebar)")
    # Actors and issues sit on two tabs, each with its table.
    expect(page.get_by_role("tab", name="Actors")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.get_by_role("tab", name="Issues").click()
    expect(page.get_by_role("tab", name="Issues")).to_have_attribute("aria-selected", "true")
    expect(
        page.get_by_role("tabpanel", name="Issues").get_by_test_id("stDataFrame")
    ).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
    screenshot(page, "taxonomy.png")
    output = dashboard.server_output()
    assert "Traceback" not in output, output


def test_reload_keeps_the_analyst_signed_in_until_log_out(page: Page, dashboard: Dashboard) -> None:
    """Signed in with "stay signed in" (the default), a reload keeps the session; log out
    ends it for good; signing in without it leaves no cookie behind."""

    def session_cookies() -> list[dict[str, object]]:
        return [dict(c) for c in page.context.cookies() if c["name"] == "tracker_session"]

    signed_in, form = (
        page.get_by_text("Signed in as ana"),
        page.get_by_role("heading", name="Sign in", level=1),
    )
    open_signed_in(page, dashboard, "")
    expect(signed_in).to_be_visible()
    cookies = session_cookies()
    assert len(cookies) == 1 and cookies[0]["sameSite"] == "Strict"
    page.reload()
    expect(signed_in).to_be_visible()
    expect(page.get_by_role("heading", name="Stances", level=1)).to_be_visible()
    assert form.count() == 0
    page.get_by_role("button", name="Log out").click()
    expect(form).to_be_visible()
    wait_idle(page)
    deadline = time.monotonic() + 10
    while session_cookies() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_cookies() == []
    page.reload()
    expect(form).to_be_visible()
    sign_in(page, stay=False)
    expect(signed_in).to_be_visible()
    assert session_cookies() == []
    page.reload()
    expect(form).to_be_visible()


def test_a_first_run_serves_without_a_terminal_prompt(demo_url: str, tmp_path: Path) -> None:
    """`python3 dev.py demo` on a fresh machine: `tracker dashboard` without --headless
    and without Streamlit's credentials file must serve, not wait at (or, with no
    terminal, die of) Streamlit's first-run "Email:" prompt."""
    home = tmp_path / "home"
    home.mkdir()
    first_run = {"HOME": str(home), "BROWSER": "true"}  # no credentials, no browser window
    with serving(demo_url, tmp_path, env=first_run) as running:  # and no --headless
        assert "Email" not in running.server_output()
