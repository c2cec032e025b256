"""End-to-end: an analyst opens seed article 003, tags Trump's ceasefire reversal in a real
headless Chromium, and the stance is in the database (fixtures in tests/browser.py)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import Dashboard, assert_no_errors, open_signed_in, screenshot, wait_idle
from tracker.db import make_engine, transaction
from tracker.models import PositionDay, Source, Stance
from tracker.stances import StanceChanges, update_stance

pytest_plugins = ["tests.browser"]  # the dashboard, browser and page fixtures

PASSAGE = "I wish they could stop, I'd like them to stop"


def test_tag_a_stance_in_the_browser(page: Page, dashboard: Dashboard) -> None:
    engine = make_engine(dashboard.db_url)
    with transaction(engine) as session:
        source_id = session.scalar(
            select(Source.id).where(Source.title.startswith("US would help assure"))
        )
    open_signed_in(page, dashboard, f"tag?source={source_id}")
    expect(page.get_by_role("heading", name="Read & tag", level=1)).to_be_visible()
    wait_idle(page)
    # The source text itself (the same sentence is also a stance's quote in a folded expander).
    expect(
        page.locator(".src").get_by_text("Trump told reporters in the Oval Office")
    ).to_be_visible()

    page.get_by_role("textbox", name="Quote: paste or type the passage").fill(PASSAGE)
    page.keyboard.press("Control+Enter")
    wait_idle(page)
    actor = page.get_by_role("combobox", name="Actor (type to search names and aliases)")
    actor.click()
    actor.fill("Trump")
    # The person comes first, not the party one of whose aliases mentions him.
    expect(page.get_by_role("option").first).to_contain_text("Donald Trump")
    page.get_by_role("option", name="Donald Trump", exact=False).first.click()
    wait_idle(page)
    issue = page.get_by_role("combobox", name="Issue", exact=True)
    issue.click()
    page.get_by_role("option", name="Ceasefire before peace talks (ceasefire-first)").click()
    wait_idle(page)
    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(2):  # from 0 to -2
        page.keyboard.press("ArrowLeft")
    wait_idle(page)
    note = page.get_by_role("textbox", name="Note")
    note.fill("said in the Oval Office")
    page.keyboard.press("Control+Enter")
    wait_idle(page)
    page.get_by_role("button", name="Save stance").click()
    wait_idle(page)
    expect(page.get_by_text("Saved stance #")).to_be_visible()
    # The browser shows the form empty for the next stance (not the old quote and note,
    # which it used to send back with the next change).
    expect(page.get_by_role("textbox", name="Quote: paste or type the passage")).to_have_value("")
    expect(note).to_have_value("")
    expect(page.get_by_role("button", name="Save stance")).to_be_disabled()
    assert_no_errors(page, "Read & tag")
    screenshot(page, "tag-trump-reversal.png")

    with transaction(engine) as session:
        stance = session.scalars(select(Stance).where(Stance.quote == PASSAGE)).one()
        assert (stance.position, stance.annotator, stance.source_id) == (-2, "ana", source_id)
        assert stance.note == "said in the Oval Office"
        assert str(stance.stated_on) == "2025-08-18"
        # The README's step 6: the timeline's 18 Aug point now counts both passages.
        day = session.get(PositionDay, (stance.issue_id, stance.actor_id, stance.stated_on))
        assert day is not None and (day.position, day.stances) == (-2, 2)
    engine.dispose()


def test_an_open_stance_editor_stays_open_when_a_colleague_saves(
    page: Page, dashboard: Dashboard
) -> None:
    """A colleague's save changes the stance's header (its version): the editor the analyst
    has open must not fold up under them at their next click."""
    engine = make_engine(dashboard.db_url)
    with transaction(engine) as session:
        source_id = session.scalar(
            select(Source.id).where(Source.title.startswith("US would help assure"))
        )
        stance = session.scalars(
            select(Stance).where(Stance.source_id == source_id).order_by(Stance.id)
        ).first()
        assert stance is not None
        stance_id, version = stance.id, stance.version
    open_signed_in(page, dashboard, f"tag?source={source_id}")
    box = page.get_by_test_id("stExpander").filter(has_text=f"#{stance_id} ")
    box.get_by_text(f"#{stance_id} ").first.click()
    wait_idle(page)
    note = box.get_by_role("textbox", name="Note")
    expect(note).to_be_visible()

    with transaction(engine) as session:
        update_stance(
            session,
            stance_id,
            StanceChanges(note="checked by a colleague"),
            annotator="colleague",
            expected_version=version,
        )
    note.fill("my own note")
    page.keyboard.press("Enter")
    # The header shows the colleague's version part-way through the run that Enter starts;
    # wait for that run to end before clicking. wait_idle alone can return before the run
    # has begun, and a click that lands mid-run was lost once under load (CI, 58c8726).
    expect(box).to_contain_text(f"v{version + 1}")
    wait_idle(page)
    expect(note).to_be_visible()
    expect(note).to_have_value("my own note")
    box.get_by_role("button", name="Save changes").click()
    wait_idle(page)
    # The save is refused, not written over the colleague's; the box stays open on it.
    expect(box.get_by_text("was changed by colleague")).to_be_visible()
    wait_idle(page)
    box.get_by_role("button", name="Load the newer version").click()
    wait_idle(page)
    expect(note).to_have_value("checked by a colleague")
    engine.dispose()
