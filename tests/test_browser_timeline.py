"""End-to-end: the ceasefire-first timeline on the seeded demo, drawn in a real headless
Chromium, with its PNG download (fixtures and helpers in tests/browser.py)."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser import (
    UI_TIMEOUT_MS,
    Dashboard,
    assert_no_errors,
    open_signed_in,
    screenshot,
    wait_idle,
)

pytest_plugins = ["tests.browser"]  # the dashboard, browser and page fixtures

ISSUE_OPTION = "Ceasefire before peace talks (ceasefire-first)"


def _drawn_marks(chart: Locator) -> int:
    """How many marks (lines, points) the Vega view drew: SVG elements, or for a canvas
    renderer the pixels it inked."""
    count: int = chart.evaluate(
        """root => {
            const svg = root.querySelector('svg.marks');
            if (svg) return svg.querySelectorAll('.mark-line path, .mark-symbol path').length;
            const canvas = root.querySelector('canvas');
            if (!canvas) return 0;
            const ctx = canvas.getContext('2d');
            const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
            let inked = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) inked++;
            return inked > 5000 ? 1000 : 0;
        }"""
    )
    return count


def test_timeline_of_ceasefire_first(page: Page, dashboard: Dashboard) -> None:
    log = dashboard.log
    open_signed_in(page, dashboard, "timeline")
    expect(page.get_by_role("heading", name="Issue timeline", level=1)).to_be_visible()
    wait_idle(page)

    issue = page.get_by_role("combobox", name="Issue", exact=True)
    issue.click()
    page.get_by_role("option", name=ISSUE_OPTION, exact=True).click()
    expect(issue).to_have_value(ISSUE_OPTION)
    wait_idle(page)

    chart = page.get_by_test_id("stVegaLiteChart")
    expect(chart.locator("canvas, svg.marks").first).to_be_visible()
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while _drawn_marks(chart) < 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _drawn_marks(chart) >= 10, "the chart stayed blank"
    if chart.locator("svg.marks").count():  # SVG renderer: the axis and legend text is in the DOM
        for text in ("+2  Ceasefire must come first", "Aug 2025", "Date", "Donald Trump"):
            expect(chart.locator("svg.marks")).to_contain_text(text)

    shifts = page.get_by_test_id("stDataFrame")
    expect(shifts).to_be_visible()
    expect(shifts.locator("table[role=grid]")).to_contain_text("Donald Trump")
    assert_no_errors(page, "timeline")

    path = screenshot(page, "timeline-ceasefire-first.png")
    assert path.stat().st_size > 20_000, f"{path} looks empty"

    # The PNG download (rendered on the server by vl-convert) is a real image.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PNG").click()
    png = Path(download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert download.value.suggested_filename == "timeline-ceasefire-first.png"
    assert "Traceback" not in log.read_text(errors="replace")


def test_the_matrix_fits_a_1100_px_window(page: Page, dashboard: Dashboard) -> None:
    """At 1,100 px (a laptop with the sidebar open) the demo's matrix ran past the page's
    right edge, its issues read as slugs, and the download buttons read "Downloa…"."""
    page.set_viewport_size({"width": 1100, "height": 900})
    open_signed_in(page, dashboard, "matrix")
    expect(page.get_by_role("heading", name="Positions matrix", level=1)).to_be_visible()
    for kind in ("PNG", "SVG"):
        button = page.get_by_role("button", name=f"Download {kind}")
        expect(button).to_be_visible()
        cut = button.evaluate(
            "b => [...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
        )
        assert not cut, f"the Download {kind} label is cut short"
    chart = page.get_by_test_id("stVegaLiteChart")
    drawn = chart.locator("canvas, svg.marks").first
    expect(drawn).to_be_visible()
    box = drawn.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1100, box
    main = page.get_by_test_id("stMain")
    assert main.evaluate("e => e.scrollWidth <= e.clientWidth"), "the page scrolls sideways"
    assert_no_errors(page, "matrix")
    screenshot(page, "matrix-1100.png")
