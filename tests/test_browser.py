"""End-to-end tests: the real Streamlit dashboard, served by `tracker dashboard`, in real
headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no browser downloads).

Skipped when Chromium is not installed, except under CI (CI=true), where that is a failure.
Screenshots go to artifacts/browser/ at the repository root.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright

from tracker.db import make_engine, transaction
from tracker.sources import get_source, list_sources
from tracker.stance_query import StanceFilter
from tracker.stances import list_stances

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start.
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
STARTUP_TIMEOUT_S = 60.0
UI_TIMEOUT_MS = 30_000
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
MAX_SCREENSHOT_HEIGHT = 6000

# The seeded demo (tracker/seeds): the filter used on the Stances page, and the source read
# on the Sources page (a sentence from seeds/articles/001_*.txt).
ACTOR, ISSUE = "Donald Trump", "ceasefire-first"
CHOSEN_SOURCE_TITLE = "Zelenskiy made case for security guarantees at meeting with Trump"
CHOSEN_SOURCE_SENTENCE = "Some key points were mentioned during the meeting"

PAGES = {"Stances": "", "Sources": "sources", "Actors & issues": "taxonomy"}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")  # as dev.py


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dashboard:
    url: str
    db_url: str
    log: Path

    def server_output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`tracker dashboard` exited with code {process.returncode} before serving:\n"
                + log.read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(
        f"dashboard not healthy after {STARTUP_TIMEOUT_S:.0f} s:\n"
        + log.read_text(errors="replace")
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the whole process group: `tracker` and the Streamlit server it started."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            # The group may outlive its leader for a moment; check it is gone.
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.2)


@pytest.fixture
def dashboard(demo_url: str, tmp_path: Path) -> Iterator[Dashboard]:
    """`tracker --db <demo> dashboard --headless` as a real subprocess, healthy and ready."""
    port = _free_port()
    tracker = Path(sys.executable).parent / "tracker"
    log = tmp_path / "dashboard.log"
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(tracker), "--db", demo_url, "dashboard", "--port", str(port), "--headless"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(process, url, log)
        yield Dashboard(url=url, db_url=demo_url, log=log)
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not installed (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(UI_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


# --- helpers ---------------------------------------------------------------------------------


def _wait_idle(page: Page) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    ).wait_for(state="attached", timeout=UI_TIMEOUT_MS)


def _open(page: Page, dashboard: Dashboard, title: str) -> None:
    """Load a page by its URL and wait for its title and for the script to finish."""
    page.goto(f"{dashboard.url}/{PAGES[title]}")
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    _wait_idle(page)


def _assert_no_errors(page: Page, where: str) -> None:
    """No exception box and no error alert on the page."""
    for testid in ("stException", "stAlertContentError"):
        boxes = page.get_by_test_id(testid)
        assert boxes.count() == 0, f"{where}: {testid} shown: {boxes.all_inner_texts()}"


def _grid_rows(frame: Locator, count: int) -> list[dict[str, str]]:
    """The ``count`` rows of an st.dataframe, from the accessible table glide-data-grid keeps
    beside its canvas. It holds only the rendered (visible) rows and columns: use it on
    short tables. Waits for the grid to hold ``count`` rows: it re-renders after a rerun.
    """
    table = frame.locator("table[role=grid]")
    expect(table).to_have_attribute("aria-rowcount", str(count + 1))  # + the header row
    expect(table.locator("tbody tr")).to_have_count(count)
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append(dict(zip(headers, cells, strict=False)))
    return rows


def _choose(page: Page, label: str, option: str) -> None:
    """Pick an option in the st.selectbox with this label."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def _screenshot(page: Page, name: str) -> Path:
    """Screenshot the whole page. Streamlit scrolls inside its main container rather than
    the document, so the viewport is first stretched to the content's height.
    """
    _wait_idle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const block = document.querySelector('[data-testid="stMainBlockContainer"]');
            return Math.max(
                document.documentElement.scrollHeight,
                main ? main.scrollHeight : 0,
                block ? block.getBoundingClientRect().top + block.scrollHeight : 0,
            );
        }"""
    )
    page.set_viewport_size(
        {
            "width": VIEWPORT["width"],
            "height": min(max(int(height), VIEWPORT["height"]), MAX_SCREENSHOT_HEIGHT),
        }
    )
    # Let the grid re-render at the new size before capturing.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    return path


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
    caption = page.get_by_test_id("stCaptionContainer")
    expect(caption).to_have_text(f"{len(accepted)} stances")
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()

    _choose(page, "Issue", ISSUE)
    _choose(page, "Actor", ACTOR)
    expect(caption).to_have_text(f"{len(trump)} stances")
    _wait_idle(page)

    rows = _grid_rows(page.get_by_test_id("stDataFrame"), len(trump))
    assert [int(r["ID"]) for r in rows] == trump
    assert {(r["actor"], r["issue"]) for r in rows} == {(ACTOR, ISSUE)}
    assert all(r["Meaning"] for r in rows), rows
    _assert_no_errors(page, "Stances")
    _screenshot(page, "stances.png")


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
    _wait_idle(page)

    rows = _grid_rows(page.get_by_test_id("stDataFrame"), len(listing))
    assert [(int(r["ID"]), r["Title"]) for r in rows] == listing

    # The newest source is open by default; then read the chosen one.
    source_text = page.get_by_test_id("stText")
    expect(source_text).to_contain_text(newest_text.strip().splitlines()[0].strip())
    _choose(page, "Read a source", f"#{chosen_id} {CHOSEN_SOURCE_TITLE}")
    expect(page.get_by_role("heading", name=CHOSEN_SOURCE_TITLE, level=3)).to_be_visible()
    expect(source_text).to_contain_text(CHOSEN_SOURCE_SENTENCE)
    _wait_idle(page)

    # Plain text: no markup rendered from the article, and every line of it shown.
    assert source_text.locator("a, strong, em, code, h1, h2, h3, li, img").count() == 0
    shown = source_text.inner_text()
    for line in filter(None, (ln.strip() for ln in chosen_text.splitlines())):
        assert line in shown, f"source text line not shown: {line!r}"
    _assert_no_errors(page, "Sources")
    _screenshot(page, "sources.png")


def test_every_page_renders_without_errors(page: Page, dashboard: Dashboard) -> None:
    for title in PAGES:
        _open(page, dashboard, title)
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        _assert_no_errors(page, title)
    # Through the sidebar as well as by URL.
    for title in ("Actors & issues", "Sources", "Stances", "Actors & issues"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        _wait_idle(page)
        _assert_no_errors(page, f"{title} (through the sidebar)")
    expect(page.get_by_role("heading", name="Issues", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Actors", level=2)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
    _screenshot(page, "taxonomy.png")
    output = dashboard.server_output()
    assert "Traceback" not in output, output
