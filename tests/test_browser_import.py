"""End-to-end: importing a stance CSV on the Stances page, in a real headless Chromium:
the file is checked first, its problems listed by row, the good rows imported and the bad
ones downloaded with their reasons (fixtures and helpers in tests/browser.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser import (
    Dashboard,
    assert_no_errors,
    choose,
    open_signed_in,
    screenshot,
    wait_idle,
)
from tracker.db import make_engine, reading, transaction
from tracker.models import Stance
from tracker.stance_csv import export_stances_bytes
from tracker.stance_query import StanceFilter, stance_records
from tracker.stances import StanceChanges, update_stance

pytest_plugins = ["tests.browser"]  # the dashboard, browser and page fixtures


def _edited_export(db_url: str, target: Path) -> tuple[str, str]:
    """The demo's export as a spreadsheet might return it: stance 1's position edited, a
    note over two lines (so rows and lines part), an unknown status, a row cut short.
    Returns stance 1's id and its new position."""
    engine = make_engine(db_url)
    with reading(engine) as session:
        text = export_stances_bytes(session, StanceFilter(), excel=True).decode("utf-8-sig")
    engine.dispose()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    at = {name: i for i, name in enumerate(header)}
    first = rows[0]
    first[at["position"]] = "0" if first[at["position"]] != "0" else "1"
    rows[1][at["note"]] = "one line\nand another"
    rows[2][at["status"]] = "maybe"
    rows[3] = rows[3][:5]
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    target.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))  # Excel's BOM
    return first[at["stance_id"]], first[at["position"]]


def _position_of(db_url: str, stance_id: str) -> int:
    engine = make_engine(db_url)
    with reading(engine) as session:
        (record,) = [r for r in stance_records(session, StanceFilter()) if
                     str(r["stance_id"]) == stance_id]  # fmt: skip
    engine.dispose()
    return int(record["position"])


def test_a_csv_is_checked_then_its_good_rows_imported(
    page: Page, dashboard: Dashboard, tmp_path: Path
) -> None:
    upload = tmp_path / "from-excel.csv"
    stance_id, position = _edited_export(dashboard.db_url, upload)
    open_signed_in(page, dashboard, "")
    page.get_by_text("Import stances from a CSV file").click()
    page.locator("input[type=file]").set_input_files(upload)
    wait_idle(page)
    verdict = "from-excel.csv: 0 new, 2 updated, 39 unchanged stances; 2 rows with problems"
    expect(page.get_by_text(verdict)).to_be_visible()
    # Rows as the spreadsheet numbers them, and the file's lines: the note above spans two.
    table = page.get_by_test_id("stTable")
    expect(table.locator("tbody tr")).to_have_count(2)
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    status, short = (
        dict(zip(headers, (c.strip() for c in row.locator("td").all_inner_texts()), strict=True))
        for row in table.locator("tbody tr").all()
    )
    assert (status["Row"], status["Line"], status["Column"]) == ("4", "5", "status")
    assert status["Problem"].startswith("unknown status 'maybe'")
    assert (short["Row"], short["Line"], short["Column"]) == ("5", "6", "(whole row)")
    assert short["Problem"].startswith("5 cells, but the header has")
    screenshot(page, "import-checked.png")
    assert _position_of(dashboard.db_url, stance_id) != int(position)  # a check writes nothing

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the rows with problems").first.click()
    rejected = list(csv.DictReader(Path(download.value.path()).open(encoding="utf-8-sig")))
    assert [r["status"] for r in rejected][0] == "maybe" and len(rejected) == 2
    assert all(r["reason"] for r in rejected)

    page.get_by_role("button", name="Import 2 updated stances, skip the 2 rows with").click()
    wait_idle(page)
    done = page.get_by_text("0 new, 2 updated, 39 unchanged stances; 2 rows were rejected")
    expect(done).to_be_visible()
    assert _position_of(dashboard.db_url, stance_id) == int(position)
    rejects = page.get_by_role("button", name="Download the rows with problems")
    expect(rejects).to_be_visible()
    assert_no_errors(page, "after the import")
    # The result and its rejects stay while the analyst looks around the page...
    choose(page, "Status", "(all)")
    wait_idle(page)
    expect(done).to_be_visible()
    expect(rejects).to_be_visible()
    # ...and the form stays open for the next file, which replaces them.
    page.locator("input[type=file]").set_input_files(upload)
    wait_idle(page)
    again = "from-excel.csv: 0 new, 0 updated, 41 unchanged stances; 2 rows with problems"
    expect(page.get_by_text(again)).to_be_visible()
    expect(done).to_have_count(0)
    screenshot(page, "import-again.png")


def test_a_file_that_is_not_a_stance_csv_is_refused_in_one_line(
    page: Page, dashboard: Dashboard, tmp_path: Path
) -> None:
    upload = tmp_path / "actors.csv"
    upload.write_bytes(b"name,kind\nVolodymyr Zelenskyy,person\n")
    open_signed_in(page, dashboard, "")
    page.get_by_text("Import stances from a CSV file").click()
    page.locator("input[type=file]").set_input_files(upload)
    wait_idle(page)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("actors.csv: unknown column 'name'")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)


def test_two_rows_for_one_stance_are_both_held_back(
    page: Page, dashboard: Dashboard, tmp_path: Path
) -> None:
    """An export with stance 1's row pasted again and its position changed, and another
    stance's position edited: the check lists both of stance 1's rows, each naming the
    other, and the import writes the edit and neither of them (the file is read a second
    time for that, which the page survives)."""
    engine = make_engine(dashboard.db_url)
    with reading(engine) as session:
        text = export_stances_bytes(session, StanceFilter()).decode("utf-8-sig")
    engine.dispose()
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    at = {name: i for i, name in enumerate(header)}
    twin = list(rows[0])
    twin[at["stance_id"]] = ""
    twin[at["position"]] = "0" if rows[0][at["position"]] != "0" else "1"
    edited = rows[1][at["stance_id"]]
    rows[1][at["position"]] = "0" if rows[1][at["position"]] != "0" else "1"
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows, twin])
    upload = tmp_path / "twins.csv"
    upload.write_text(out.getvalue(), encoding="utf-8")
    before = _position_of(dashboard.db_url, rows[0][at["stance_id"]])

    open_signed_in(page, dashboard, "")
    page.get_by_text("Import stances from a CSV file").click()
    page.locator("input[type=file]").set_input_files(upload)
    wait_idle(page)
    table = page.get_by_test_id("stTable")
    expect(table.locator("tbody tr")).to_have_count(2)
    problems = [c.strip() for c in table.locator("tbody tr td:last-child").all_inner_texts()]
    last = len(rows) + 2
    assert problems[0].startswith(f"the same stance as row {last} (actor, issue and passage)")
    assert problems[1].startswith("the same stance as row 2 (actor, issue and passage)")
    page.get_by_role("button", name="Import 1 updated stance, skip the 2 rows with").click()
    wait_idle(page)
    expect(page.get_by_text("0 new, 1 updated, ")).to_be_visible()
    expect(page.get_by_text("2 rows were rejected")).to_be_visible()
    assert_no_errors(page, "after an import read twice")
    assert _position_of(dashboard.db_url, rows[0][at["stance_id"]]) == before
    assert _position_of(dashboard.db_url, edited) == int(rows[1][at["position"]])


def test_an_old_export_leaves_a_colleagues_later_change(
    page: Page, dashboard: Dashboard, tmp_path: Path
) -> None:
    """A colleague changed a stance after the export was taken: uploading the export
    unedited changes nothing, and the page says why that row was left alone."""
    engine = make_engine(dashboard.db_url)
    with reading(engine) as session:
        upload = tmp_path / "last-week.csv"
        upload.write_bytes(export_stances_bytes(session, StanceFilter()))
    with transaction(engine) as session:
        first = session.scalars(select(Stance).order_by(Stance.id).limit(1)).one()
        update_stance(
            session,
            first.id,
            StanceChanges(note="a colleague's correction"),
            annotator="colleague",
            expected_version=first.version,
        )
    engine.dispose()

    open_signed_in(page, dashboard, "")
    page.get_by_text("Import stances from a CSV file").click()
    page.locator("input[type=file]").set_input_files(upload)
    wait_idle(page)
    expect(
        page.get_by_text("last-week.csv: 0 new, 0 updated, 43 unchanged stances")
    ).to_be_visible()
    expect(
        page.get_by_text("1 row was exported before a later change to its stance, and leaves it")
    ).to_be_visible()
    assert_no_errors(page, "an old export checked")
