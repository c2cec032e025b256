"""Bad input on every path: a one-line message naming the problem, nothing written, no
traceback. Searches, output files, database URLs, stance CSV cells, links, the dashboard
command and ingestion batches."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from tests.factories import make_source
from tracker.cli import app
from tracker.csv_io import _umask, atomic_binary_output, atomic_output
from tracker.db import make_engine, parse_url, transaction
from tracker.errors import TrackerError
from tracker.models import Source, Stance
from tracker.search import search_sources

runner = CliRunner()


def tracker(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args])


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.output
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


def count(url: str, model: type[Source] | type[Stance]) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        n = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["!!!", '" "', '"!!!"', "  ", '""', "... ?", "«»"])
def test_search_without_words_is_refused(db_url: str, query: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        make_source(session)
        with pytest.raises(TrackerError, match="has no words to search for"):
            search_sources(session, query)
        assert len(search_sources(session, '"ceasefire first" !!!')) == 1
    engine.dispose()
    assert_user_error(tracker(db_url, "sources", "search", '" "'), "has no words to search for")


# --- output files ---------------------------------------------------------------------------


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match=f"{tmp_path} is a folder"):
        with atomic_output(tmp_path) as out:
            out.write("x")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("missing/out.csv", "folder {tmp}/missing does not exist"),
        ("file.txt/out.csv", "{tmp}/file.txt is not a folder"),
    ],
)
def test_output_in_no_folder_is_refused(tmp_path: Path, relative: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("keep")
    with pytest.raises(TrackerError, match=message.format(tmp=tmp_path)):
        with atomic_binary_output(tmp_path / relative) as out:
            out.write(b"x")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_output_in_an_unwritable_folder_is_refused() -> None:
    # sysfs refuses new files even to root (the tests run as root, so chmod would not do).
    with pytest.raises(TrackerError, match="cannot write /sys/out.csv: permission denied"):
        with atomic_output("/sys/out.csv") as out:
            out.write("x")


def test_output_file_gets_the_mode_open_would_give(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_output(tmp_path / "new.csv") as out:
            out.write("a\n")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640
        existing = tmp_path / "existing.csv"
        existing.write_text("old")
        existing.chmod(0o604)
        with atomic_output(existing) as out:
            out.write("new")
        assert existing.read_text() == "new"
        assert stat.S_IMODE(existing.stat().st_mode) == 0o604  # kept, as open() keeps it
    finally:
        os.umask(old)


def test_failed_output_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as out:
            out.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_report_output_paths(demo_url: str, tmp_path: Path) -> None:
    week = ["report", "--week", "2025-W33"]
    folder = tmp_path / "out"
    folder.mkdir()
    assert_user_error(tracker(demo_url, *week, "-o", str(folder)), "is a folder")
    assert_user_error(tracker(demo_url, *week, "-o", str(folder / "no" / "r.md")), "does not exist")
    result = tracker(demo_url, *week, "--format", "pdf", "-o", str(folder / "r.pdf"))
    assert result.exit_code == 0, result.output
    pdf = folder / "r.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o666 & ~_umask()  # not mkstemp's 0600
    assert [p.name for p in folder.iterdir()] == ["r.pdf"]


def test_export_to_a_folder_is_refused(demo_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    assert_user_error(tracker(demo_url, "stances", "export", str(folder)), "is a folder")
    assert_user_error(tracker(demo_url, "sources", "export", str(folder)), "is a folder")
    assert list(folder.iterdir()) == []


# --- database URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://x:secret@h:notaport/y", "is not valid (is the port a number?)"),
        ("postgresql+asyncpg://u:secret@h/d", "driver 'asyncpg' is not supported"),
        ("postgresql+psycopg2://u:secret@h/d", "driver 'psycopg2' is not supported"),
        ("sqlite+aiosqlite:///x.db", "driver 'aiosqlite' is not supported"),
        ("sqlite:///x.db?timeout=soon", "could not convert string to float: 'soon'"),
    ],
)
def test_database_urls_we_cannot_use(url: str, message: str) -> None:
    result = runner.invoke(app, ["--db", url, "stances", "list"])
    assert_user_error(result, message)
    assert "secret" not in result.output


def test_database_urls_we_ship_drivers_for() -> None:
    assert parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("sqlite+pysqlite:///x.db").drivername == "sqlite"
    assert parse_url("sqlite://").drivername == "sqlite"
