"""Reads never queue behind a writer: on SQLite, read-only work takes a deferred BEGIN
while writes keep BEGIN IMMEDIATE (shared/NOTES.md)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.state import SIGNED_IN
from tests.conftest import BACKEND
from tests.factories import ensure_account
from tracker import db as db_module
from tracker.cli import app
from tracker.config import ENV_VAR
from tracker.db import ReadOnlySessionError, check_connection, make_engine, reading, transaction
from tracker.models import Issue

runner = CliRunner()
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite locking")


def issue_count(url: str) -> int:
    engine = make_engine(url)
    with reading(engine) as session:
        count = session.scalar(select(func.count()).select_from(Issue)) or 0
    engine.dispose()
    return count


@pytest.fixture
def writer(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connection]:
    """Another connection in the middle of a write (BEGIN IMMEDIATE, not committed), as
    during a long import. The busy timeout is cut to 3 s, so anything that waited for the
    lock would fail with "database is locked" instead of slowing the test down.
    The demo has the account "ana" (an analyst), created before the lock is taken."""
    ensure_account(demo_url, "ana", "analyst")
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 3_000)
    engine = make_engine(demo_url)
    connection = engine.connect()
    connection.execute(insert(Issue).values(slug="pending", name="Pending", description=""))
    yield connection
    connection.rollback()
    connection.close()
    engine.dispose()


@sqlite_only
def test_reading_session_does_not_wait_for_a_writer(demo_url: str, writer: Connection) -> None:
    engine = make_engine(demo_url)
    started = time.perf_counter()
    check_connection(engine)
    with reading(engine) as session:
        slugs = set(session.scalars(select(Issue.slug)))
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"the read took {elapsed:.2f} s"
    assert "ceasefire-first" in slugs and "pending" not in slugs  # committed data only
    # A write transaction still waits for the lock, and gives up after the busy timeout.
    with pytest.raises(OperationalError, match="database is locked"):
        with transaction(engine) as session:
            session.execute(select(1))
    engine.dispose()


@sqlite_only
@pytest.mark.parametrize(
    "args",
    [
        ["stances", "list", "--json"],
        ["stances", "export", "-"],
        ["issues", "list", "--json"],
        ["actors", "export", "-"],
        ["sources", "list", "--json"],
        ["sources", "show", "1", "--json"],
        ["sources", "search", "ceasefire", "--json"],
        ["shifts", "--json"],
        ["report", "--week", "2025-W33"],
        ["db", "current"],
    ],
)
def test_read_only_commands_run_during_a_write(
    demo_url: str, writer: Connection, args: list[str]
) -> None:
    started = time.perf_counter()
    result = runner.invoke(app, ["--db", demo_url, *args])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 3, "the command waited for the writer"


@sqlite_only
def test_dashboard_reading_does_not_wait_for_a_writer(
    demo_url: str, writer: Connection, monkeypatch: pytest.MonkeyPatch, dashboard_env: None
) -> None:
    def page() -> None:
        import streamlit as st
        from sqlalchemy import func, select

        from dashboard.state import reading
        from tracker.models import Issue

        with reading() as s:
            st.write(f"issues: {s.scalar(select(func.count()).select_from(Issue))}")

    monkeypatch.setenv(ENV_VAR, demo_url)
    started = time.perf_counter()
    at = AppTest.from_function(page, default_timeout=10)
    at.session_state[SIGNED_IN] = "ana"  # signing in only reads: it never waits either
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["issues: 5"]
    assert time.perf_counter() - started < 3


def test_reading_session_refuses_to_save(db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        session.add(Issue(slug="kept", name="Kept", description=""))
    with reading(engine) as session:
        changed = session.scalars(select(Issue)).one()
        changed.name = "Changed"
        with pytest.raises(ReadOnlySessionError, match="only reads"):
            session.flush()
    with reading(engine) as session:
        issue = session.scalars(select(Issue)).one()
        session.add(Issue(slug="new", name="New", description=""))
        with pytest.raises(ReadOnlySessionError):
            session.scalar(select(func.count()).select_from(Issue))  # autoflush
    assert issue.name == "Kept"  # loaded objects stay readable after the block
    with reading(engine) as session:
        assert session.scalars(select(Issue.name)).all() == ["Kept"]
    engine.dispose()


def test_cli_lists_still_work(demo_url: str) -> None:
    result = runner.invoke(app, ["--db", demo_url, "issues", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == issue_count(demo_url) == 5
