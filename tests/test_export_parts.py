"""A big export cut by date across processes writes the one-process file, byte for byte,
from one state of the database (tracker.export_parts), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tests.factories import make_actor, make_issue, make_source, make_stance
from tracker import export_parts
from tracker.access import Principal
from tracker.cli import app
from tracker.db import reading, transaction
from tracker.demo import load_demo
from tracker.double_coding import open_double_coding
from tracker.errors import TrackerError
from tracker.models import Role, Stance
from tracker.sources import mark_duplicate
from tracker.stance_query import StanceFilter

DAY = dt.date(2025, 8, 20)
TRICKY = 'He said: "no, never",\nthen =SUM(A1) — «Ні» 泽连斯基'


@pytest.fixture
def stances(engine: Engine) -> Engine:
    """The demo's stances and a run of daily stances on one actor and issue, some from
    rewrites of the day before's story, so corroboration windows cross any cut; tricky
    text, a NUL, a formula."""
    load_demo(engine)
    nul = "bad\x00byte" if engine.dialect.name == "sqlite" else ""  # PostgreSQL stores none
    with transaction(engine) as session:
        actor, issue = make_actor(session, "Daily speaker"), make_issue(session, "daily-issue")
        sources = [make_source(session, published_on=DAY) for _ in range(30)]
        for offset in range(1, 30, 3):  # rewrites: one story with the day before's
            mark_duplicate(session, sources[offset], sources[offset - 1])
        for offset, source in enumerate(sources):
            make_stance(
                session,
                actor=actor,
                issue=issue,
                source=source,
                position=(2, 1, -1)[offset % 3],
                stated_on=DAY + dt.timedelta(days=offset),
                status=("accepted", "accepted", "suggested", "rejected")[offset % 4],
                note=TRICKY if offset == 5 else (nul if offset == 25 else ""),
                conditional=offset == 12,
                condition="=1+1" if offset == 12 else "",
            )
    return engine


def export(
    engine: Engine,
    path: Path,
    parts: int,
    flt: StanceFilter | None = None,
    *,
    excel: bool = False,
    principal: Principal | None = None,
) -> bytes:
    """The file written, after checking the count returned against its lines."""
    with reading(engine, principal) as session:
        count = export_parts.export_stances_to(
            session, flt or StanceFilter(), str(path), excel=excel, parts=parts
        )
    data = path.read_bytes()
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))) == count + 1
    return data


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize(
    "flt",
    [
        StanceFilter(),
        StanceFilter(since=DAY + dt.timedelta(days=3), until=DAY + dt.timedelta(days=26)),
        StanceFilter(actor="Daily speaker", status="accepted"),
    ],
    ids=["all", "dates", "actor-accepted"],
)
def test_parts_write_the_one_process_file(
    stances: Engine, tmp_path: Path, parts: int, flt: StanceFilter
) -> None:
    with reading(stances) as session:
        assert len(export_parts._plan(session, flt, parts)) == parts
    whole = export(stances, tmp_path / "one.csv", 1, flt)
    assert export(stances, tmp_path / "parts.csv", parts, flt) == whole
    assert leftovers(tmp_path) == []  # the helpers' part files are gone


def test_the_cut_falls_inside_the_corroboration_window(stances: Engine) -> None:
    """Parts cut between two days of the daily run: the test above then checks counts
    whose windows straddle the cut."""
    with reading(stances) as session:
        plan = export_parts._plan(session, StanceFilter(actor="Daily speaker"), 2)
    assert len(plan) == 2
    assert plan[0].since is None and plan[1].until is None
    assert plan[0].until is not None and plan[1].since == plan[0].until + dt.timedelta(days=1)
    assert DAY < plan[1].since < DAY + dt.timedelta(days=29)


def test_excel_file_starts_with_one_bom(stances: Engine, tmp_path: Path) -> None:
    plain = export(stances, tmp_path / "plain.csv", 1)
    excel = export(stances, tmp_path / "excel.csv", 2, excel=True)
    assert excel == "\ufeff".encode() + plain


def test_every_part_sees_what_the_principal_may_see(stances: Engine, tmp_path: Path) -> None:
    """A viewer does not see stances on a source in double coding, in any part."""
    with transaction(stances) as session:
        blind = session.scalars(
            select(Stance.source_id).where(Stance.stated_on == DAY + dt.timedelta(days=27))
        ).one()
        open_double_coding(session, [blind], ["ana", "bo"], by="rev")
    viewer = Principal("vic", Role.VIEWER)
    whole = export(stances, tmp_path / "one.csv", 1, principal=viewer)
    assert export(stances, tmp_path / "parts.csv", 2, principal=viewer) == whole
    everything = export(stances, tmp_path / "all.csv", 2)
    assert len(whole) < len(everything)


def test_a_failing_helper_stops_the_export_and_leaves_nothing(
    stances: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        export_parts, "_WORKER", [sys.executable, "-c", "import sys; sys.exit('disk on fire')"]
    )
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(TrackerError, match="helper process .* failed: disk on fire"):
        export(stances, folder / "out.csv", 2)
    assert list(folder.iterdir()) == []  # neither the file nor a part


def test_sqlite_export_does_not_wait_for_a_writer(
    stances: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another connection writes, the parts cannot share a state of the database:
    the export runs in one process (no helper starts) at once, and is whole."""
    if stances.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's parts share an exported snapshot; writers never block it")
    whole = export(stances, tmp_path / "one.csv", 1)
    monkeypatch.setattr(export_parts, "_WORKER", [sys.executable, "-c", "raise SystemExit(3)"])
    writer = sqlite3.connect(str(stances.url.database), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        assert export(stances, tmp_path / "parts.csv", 2) == whole
    finally:
        writer.rollback()
        writer.close()


def test_small_exports_stay_in_one_process(
    stances: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``parts``, a helper starts only for tens of thousands of rows."""
    monkeypatch.setattr(export_parts, "_WORKER", [sys.executable, "-c", "raise SystemExit(3)"])
    with reading(stances) as session:
        assert export_parts._plan(session, StanceFilter(), None) == [StanceFilter()]
        export_parts.export_stances_to(
            session, StanceFilter(), str(tmp_path / "a.csv"), excel=False
        )


# Runs instead of a helper: tries to change a stance of the helper's part while the parts
# start reading, then runs the real helper.
MEANWHILE = """
import runpy, sqlite3, sys
from sqlalchemy import create_engine, text
url, stance_id = sys.argv[1], int(sys.argv[2])
if url.startswith("sqlite"):
    writer = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        pass  # the export holds the write lock
    else:
        sys.exit("the write lock was free while the parts started reading")
else:
    with create_engine(url).begin() as connection:
        connection.execute(
            text("UPDATE stance SET note = 'changed meanwhile' WHERE id = :id"), {"id": stance_id}
        )
sys.argv = ["tracker.export_parts"]
runpy.run_module("tracker.export_parts", run_name="__main__")
"""


def test_every_part_reads_the_state_the_export_started_from(
    stances: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a change committed as a helper starts is not in its part (it adopts the
    export's snapshot). SQLite: no change can be committed then (the lock is held)."""
    with reading(stances) as session:
        late = session.scalars(
            select(Stance.id).where(Stance.stated_on == DAY + dt.timedelta(days=28))
        ).one()
    whole = export(stances, tmp_path / "one.csv", 1)
    url = stances.url.render_as_string(hide_password=False)
    monkeypatch.setattr(export_parts, "_WORKER", [sys.executable, "-c", MEANWHILE, url, str(late)])
    assert export(stances, tmp_path / "parts.csv", 2) == whole
    if stances.dialect.name == "postgresql":  # the change did land, after the snapshot
        assert b"changed meanwhile" in export(stances, tmp_path / "after.csv", 1)


def test_the_command_cuts_a_big_export_into_parts(
    stances: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tracker stances export FILE|-`` decides on parts itself: here, as if the demo
    were big (parts of at least 10 rows) on a two-core machine."""
    whole = export(stances, tmp_path / "one.csv", 1)
    monkeypatch.setattr(export_parts, "PART_MIN_ROWS", 10)
    monkeypatch.setattr(export_parts, "usable_cores", lambda: 2)
    with reading(stances) as session:
        assert len(export_parts._plan(session, StanceFilter(), None)) == 2
    url = stances.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--db", url, "stances", "export", str(tmp_path / "cli.csv")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.csv").read_bytes() == whole
    result = CliRunner().invoke(app, ["--db", url, "stances", "export", "-", "--excel"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == "\ufeff".encode() + whole  # standard output too
