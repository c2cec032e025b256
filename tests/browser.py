"""Shared pieces of the end-to-end tests: the real dashboard, served by `tracker dashboard`,
in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright; no browser
downloads). Test modules import the fixtures they use from here.

Browser tests are skipped when Chromium is not installed, except under CI (CI=true),
where that is a failure. Screenshots go to artifacts/browser/ at the repository root.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright

from tracker.accounts import add_account
from tracker.db import make_engine, transaction

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
# The account every browser test signs in with (an admin: the tests exercise every page).
USER, PASSWORD = "ana", "browser-test-password"
STARTUP_TIMEOUT_S = 60.0
UI_TIMEOUT_MS = 30_000
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
MAX_SCREENSHOT_HEIGHT = 6000
# Assertions wait as long as actions do: on a loaded two-core CI machine Streamlit's lazily
# loaded widget code can take longer than Playwright's 5 s default to appear (the tagging test
# once failed there with the page half drawn).
expect.set_options(timeout=UI_TIMEOUT_MS)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")  # as dev.py


def free_port() -> int:
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


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
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


def stop_group(process: subprocess.Popen[bytes]) -> None:
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
    """`tracker --db <demo> dashboard --headless` as a real subprocess, healthy and ready, with
    the account USER (an admin) to sign in with."""
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        add_account(session, USER, "admin", PASSWORD)
    engine.dispose()
    with serving(demo_url, tmp_path, "--headless") as running:
        yield running


@contextmanager
def serving(
    db_url: str, folder: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[Dashboard]:
    """`tracker --db URL dashboard --port <free> OPTIONS` run from ``folder`` with no
    terminal, until it serves; stopped (with Streamlit) on leaving."""
    port = free_port()
    tracker = Path(sys.executable).parent / "tracker"
    log = folder / "dashboard.log"
    command = [str(tracker), "--db", db_url, "dashboard", "--port", str(port), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(process, url, log)
        yield Dashboard(url=url, db_url=db_url, log=log)
    finally:
        stop_group(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not installed (apt-get install chromium)"
        if in_ci():
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


def wait_idle(page: Page) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    ).wait_for(state="attached", timeout=UI_TIMEOUT_MS)


def open_signed_in(page: Page, dashboard: Dashboard, path: str) -> None:
    """Load a page by its URL, signing in on the login form if it shows: each load of a URL
    is a new Streamlit session, signed in only by the "stay signed in" cookie of an earlier
    sign-in in this browser context."""
    page.goto(f"{dashboard.url}/{path}")
    form = page.get_by_role("heading", name="Sign in", level=1)
    expect(form.or_(page.get_by_text(f"Signed in as {USER}"))).to_be_visible()
    if form.count():
        sign_in(page)
    wait_idle(page)


def sign_in(page: Page, user: str = USER, password: str = PASSWORD, *, stay: bool = True) -> None:
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    wait_idle(page)
    page.get_by_label("User name", exact=True).fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    if not stay:
        page.get_by_text("Stay signed in on this browser").click()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_have_count(0)
    wait_idle(page)


def assert_no_errors(page: Page, where: str) -> None:
    """No exception box and no error alert on the page."""
    for testid in ("stException", "stAlertContentError"):
        boxes = page.get_by_test_id(testid)
        assert boxes.count() == 0, f"{where}: {testid} shown: {boxes.all_inner_texts()}"


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option in the st.selectbox with this label."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def screenshot(page: Page, name: str) -> Path:
    """Screenshot the whole page. Streamlit scrolls inside its main container rather than
    the document, so the viewport is first stretched to the content's height.
    """
    wait_idle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)  # no tooltip over a chart
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


def grid_rows(frame: Locator, count: int) -> list[dict[str, str]]:
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
