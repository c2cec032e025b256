"""End-to-end: the weekly report's HTML opened in a real headless Chromium, as a recipient
would open the attachment (fixtures in tests/browser.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser import ARTIFACTS, Dashboard, assert_no_errors, open_signed_in, wait_idle
from tests.factories import make_source
from tracker.actors import get_actor
from tracker.db import make_engine, transaction
from tracker.issues import get_issue
from tracker.report import build_report, week_period
from tracker.report_render import render_html
from tracker.stances import record_stance

pytest_plugins = ["tests.browser"]  # the dashboard, browser and page fixtures


def test_report_html_renders_standalone(page: Page, demo_url: str) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        html = render_html(build_report(session, week_period("2025-W34")))
    engine.dispose()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html, wait_until="load")
    expect(page.get_by_role("heading", name="Weekly stance report", level=1)).to_be_visible()
    expect(page.get_by_text("Donald Trump moved from").first).to_be_visible()
    chart = page.locator("figure img").first
    expect(chart).to_be_visible()
    width = chart.evaluate("img => img.naturalWidth")
    assert width > 300, "the embedded timeline did not decode"
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []  # no network
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "report-2025-W34.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000


def test_reports_page_downloads_the_html_with_its_charts(page: Page, dashboard: Dashboard) -> None:
    """The page previews without images; its HTML download reads the charts' timelines
    when clicked, and the file stands alone with them."""
    open_signed_in(page, dashboard, "reports")
    week = page.get_by_role("textbox", name="Week (e.g. 2025-W34)")
    week.fill("2025-W34")
    week.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Donald Trump moved from").first).to_be_visible()
    assert_no_errors(page, "reports")
    with page.expect_download() as download:
        page.get_by_role("button", name="HTML").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "stance-report-2025-W34.html"
    assert "Donald Trump moved from" in html
    assert html.count('src="data:image/svg+xml;base64,') >= 1  # the moved issues' timelines
    assert "Traceback" not in dashboard.log.read_text(errors="replace")


def test_the_reports_preview_prints_quotes_exactly(page: Page, dashboard: Dashboard) -> None:
    """Streamlit's Markdown reads :red[...] as colour, :material/...: as an icon and
    &copy; as ©: in the preview a quote must still read exactly as the source has it."""
    quote = "AT&amp;T &copy; said :red[NO DEAL] :material/warning: at 10:30"
    engine = make_engine(dashboard.db_url)
    with transaction(engine) as session:
        source = make_source(session, f"Berlin. {quote}.", published_on=dt.date(2025, 8, 19))
        record_stance(
            session,
            actor=get_actor(session, "Friedrich Merz"),
            issue=get_issue(session, "ceasefire-first"),
            source=source,
            position=2,
            quote=quote,
            annotator="ana",
        )
    engine.dispose()
    open_signed_in(page, dashboard, "reports")
    week = page.get_by_role("textbox", name="Week (e.g. 2025-W34)")
    week.fill("2025-W34")
    week.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(f"“{quote}”", exact=False)).to_be_visible()
    assert_no_errors(page, "reports")
