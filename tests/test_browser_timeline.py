"""End-to-end: the Issue timeline page of the real dashboard (`tracker dashboard`) in real
headless Chromium, on the seeded demo; saves artifacts/browser/timeline-ceasefire-first.png.

Skipped when Chromium is not installed, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright

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
ISSUE_OPTION = "Ceasefire before peace talks (ceasefire-first)"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`tracker dashboard` exited with code {process.returncode}:\n"
                + log.read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"dashboard not healthy after {STARTUP_TIMEOUT_S:.0f} s:\n" + log.read_text())


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process group: `tracker` and the Streamlit server it started."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait_s)
            os.killpg(process.pid, 0)  # the group may outlive its leader for a moment
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.2)


@pytest.fixture
def dashboard(demo_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`tracker --db <demo> dashboard --headless` as a subprocess: (its URL, its log)."""
    port = _free_port()
    tracker = Path(sys.executable).parent / "tracker"
    log = tmp_path / "dashboard.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(tracker), "--db", demo_url, "dashboard", "--port", str(port), "--headless"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(process, url, log)
        yield url, log
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


def _wait_idle(page: Page) -> None:
    page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    ).wait_for(state="attached", timeout=UI_TIMEOUT_MS)


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


def _screenshot(page: Page, name: str) -> Path:
    """The whole page. Streamlit scrolls inside its main container, not the document, so
    the viewport is first stretched to the content's height."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)  # no tooltip over the chart
    height = page.evaluate(
        """() => {
            const block = document.querySelector('[data-testid="stMainBlockContainer"]');
            return Math.max(
                document.documentElement.scrollHeight,
                block ? block.getBoundingClientRect().top + block.scrollHeight : 0,
            );
        }"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height), 6000)})
    _wait_idle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def test_timeline_of_ceasefire_first(page: Page, dashboard: tuple[str, Path]) -> None:
    url, log = dashboard
    page.goto(f"{url}/timeline")
    expect(page.get_by_role("heading", name="Issue timeline", level=1)).to_be_visible()
    _wait_idle(page)

    issue = page.get_by_role("combobox", name="Issue", exact=True)
    issue.click()
    page.get_by_role("option", name=ISSUE_OPTION, exact=True).click()
    expect(issue).to_have_value(ISSUE_OPTION)
    _wait_idle(page)

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
    for testid in ("stException", "stAlertContentError"):
        assert page.get_by_test_id(testid).count() == 0, page.get_by_test_id(
            testid
        ).all_inner_texts()

    path = _screenshot(page, "timeline-ceasefire-first.png")
    assert path.stat().st_size > 20_000, f"{path} looks empty"

    # The PNG download (rendered on the server by vl-convert) is a real image.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PNG").click()
    png = Path(download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert download.value.suggested_filename == "timeline-ceasefire-first.png"
    assert "Traceback" not in log.read_text(errors="replace")
