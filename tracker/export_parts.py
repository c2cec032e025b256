"""Stances exported to a file, a big export cut by date across processes.

One process writes an export with one core: the database turns rows into CSV text and
Python joins lines and counts corroboration, in turn. With two cores or more, an export
of many rows is cut at date boundaries into parts of about as many rows each: this
process writes the first part into the output while helpers (``python -m
tracker.export_parts``, one per further part) write theirs to temporary files beside it,
appended in order at the end. Each part counts corroboration over its own dates widened
by the window (tracker.stance_csv), so the file is the one a single process writes, byte
for byte.

Every part reads the same state of the database, as ``pg_dump --jobs`` does:

- PostgreSQL: the first part's REPEATABLE READ transaction exports its snapshot
  (``pg_export_snapshot()``) and the helpers adopt it (``SET TRANSACTION SNAPSHOT``).
- SQLite shares no snapshots: while the parts start reading, one more connection holds the
  write lock (``BEGIN IMMEDIATE``), so no commit can fall between their snapshots. Writers
  wait meanwhile (the helpers' start-up, under a second); when a writer holds the lock
  already, the export runs in this process alone rather than wait for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, TextIO

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

import tracker
from tracker.access import Principal, attach, principal_of
from tracker.csv_io import atomic_output
from tracker.db import make_engine, read_only
from tracker.errors import TrackerError
from tracker.models import Role, Stance
from tracker.stance_csv import export_stances
from tracker.stance_query import StanceFilter, filter_conditions

# Rows per part below which a helper's start-up (~0.4 s: an interpreter, SQLAlchemy and
# the tracker's modules) costs more than writing half of them saves.
PART_MIN_ROWS = 50_000
# About the rows one process writes while a helper starts.
HEAD_START_ROWS = 25_000
MAX_PARTS = 4
_WORKER = [sys.executable, "-m", "tracker.export_parts"]
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")  # what pg_export_snapshot() returns


def export_stances_to(
    session: Session, flt: StanceFilter, path: str, *, excel: bool, parts: int | None = None
) -> int:
    """Write the matching stances to ``path`` (whole or not at all); returns the number of
    rows. ``parts``: how many processes share the work; None decides by the cores and
    the number of rows (see the module's docstring)."""
    with atomic_output(path, excel=excel) as out:
        return write_stances(session, flt, out, folder=Path(path).resolve().parent, parts=parts)


def write_stances(
    session: Session,
    flt: StanceFilter,
    out: TextIO,
    *,
    folder: Path | None = None,
    parts: int | None = None,
) -> int:
    """:func:`tracker.stance_csv.export_stances`, in parts when it pays (``out`` must
    then be a text file over a binary one, as files and standard output are). The parts
    after the first wait in ``folder`` (the system's temporary folder when None)."""
    plan = _plan(session, flt, parts) if _shareable(session.get_bind().engine) else [flt]
    if len(plan) < 2 or not hasattr(out, "buffer"):
        return export_stances(session, flt, out)
    with _shared_snapshot(session) as shared:
        if shared is None:  # a writer holds SQLite's lock: do not wait for it
            return export_stances(session, flt, out)
        where = folder or Path(tempfile.gettempdir())
        return _export_in_parts(session, shared, plan, out, where)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _plan(session: Session, flt: StanceFilter, parts: int | None) -> list[StanceFilter]:
    """The filter cut at date boundaries into at most ``parts`` filters of about as many
    rows each, in date order (one filter: no cut)."""
    if parts is None:
        if usable_cores() < 2:
            return [flt]
        parts = min(usable_cores(), MAX_PARTS)
        minimum = PART_MIN_ROWS
    else:
        minimum = 1
    if parts < 2:
        return [flt]
    conditions = filter_conditions(session, flt)
    total = session.scalar(select(func.count()).select_from(Stance).where(*conditions)) or 0
    parts = min(parts, total // minimum)
    if parts < 2:
        return [flt]
    days = select(Stance.stated_on).where(*conditions).order_by(Stance.stated_on).limit(1)
    # This process's part starts at once, the helpers' after their start-up: it takes up
    # to HEAD_START_ROWS more, the helpers share the rest.
    head = min(HEAD_START_ROWS, total // (2 * parts))
    first = (total + (parts - 1) * head) // parts
    bounds: list[dt.date] = []
    for k in range(parts):
        offset = 0 if k == 0 else first + (k - 1) * (total - first) // (parts - 1)
        day = session.scalar(days.offset(offset))
        if day is not None and (not bounds or day > bounds[-1]):
            bounds.append(day)
    # Part k holds the days from bounds[k] up to the day before bounds[k + 1].
    return [
        replace(
            flt,
            since=flt.since if k == 0 else start,
            until=flt.until if k == len(bounds) - 1 else bounds[k + 1] - dt.timedelta(days=1),
        )
        for k, start in enumerate(bounds)
    ]


def _shareable(engine: Engine) -> bool:
    """Whether helper processes can open this database and share its state: PostgreSQL,
    or a SQLite file named by its path (not in memory, not a ``file:`` URI)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return True
    database = url.database or ""
    return (
        url.get_backend_name() == "sqlite"
        and not database.startswith("file:")
        and not url.query.get("uri")
        and Path(database).is_file()
    )


@dataclass
class _Shared:
    """The first part's connection, reading the snapshot every part reads."""

    connection: Connection
    snapshot: str | None  # PostgreSQL's exported snapshot; None on SQLite
    release: Callable[[], None]  # once every helper reads: lets writers in again (SQLite)


@contextmanager
def _shared_snapshot(session: Session) -> Iterator[_Shared | None]:
    engine: Engine = session.get_bind().engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                yield _Shared(connection, str(snapshot), lambda: None)
        return
    # No busy wait: a writer at work now means this export goes on alone at once.
    lock = sqlite3.connect(
        str(engine.url.database), timeout=0, isolation_level=None, check_same_thread=False
    )
    try:
        try:
            lock.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            yield None
            return
        with read_only(engine).connect() as connection, connection.begin():
            _start_reading(connection)
            yield _Shared(connection, None, lock.rollback)
    finally:
        lock.close()


def _start_reading(connection: Connection) -> None:
    # SQLite takes a transaction's snapshot at its first read.
    connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()


def _export_in_parts(
    session: Session, shared: _Shared, plan: list[StanceFilter], out: TextIO, folder: Path
) -> int:
    principal = principal_of(session)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    with ExitStack() as stack:
        helpers = [
            stack.enter_context(_Helper.start(url, shared.snapshot, principal, part, folder))
            for part in plan[1:]
        ]
        # This process writes its part while the helpers start (~0.5 s): a thread waits
        # until they all read, then lets writers in (SQLite). PostgreSQL's snapshot can be
        # adopted only while this transaction is open: it stays open until they read.
        waiting = _Waiting(helpers, shared.release)
        waiting.start()
        try:
            with Session(bind=shared.connection) as first:
                count = export_stances(attach(first, principal), plan[0], out)
        finally:
            waiting.join()
        if waiting.error is not None:
            raise waiting.error
        for helper in helpers:
            count += helper.append_to(out)
        return count


class _Waiting(threading.Thread):
    """Waits until every helper reads the shared snapshot, then calls ``release``."""

    def __init__(self, helpers: list[_Helper], release: Callable[[], None]) -> None:
        super().__init__(name="export-parts-waiting", daemon=True)
        self.helpers, self.release = helpers, release
        self.error: TrackerError | None = None

    def run(self) -> None:
        try:
            for helper in self.helpers:
                helper.wait_until_reading()
        except TrackerError as exc:
            self.error = exc
        finally:
            self.release()


class _Helper:
    """A process writing one part to a temporary file in the output's folder."""

    def __init__(self, process: subprocess.Popen[str], path: Path, errors: IO[str]) -> None:
        self.process, self.path, self.errors = process, path, errors

    @classmethod
    @contextmanager
    def start(
        cls, url: str, snapshot: str | None, principal: Principal, part: StanceFilter, folder: Path
    ) -> Iterator[_Helper]:
        fd, name = tempfile.mkstemp(prefix=".tracker-export-part.", suffix=".csv", dir=folder)
        os.close(fd)
        path = Path(name)
        job = {
            "url": url,
            "snapshot": snapshot,
            "principal": [principal.name, principal.role.value, principal.account_id],
            "filter": _filter_json(part),
            "path": str(path),
        }
        # The tracker package importable however this process found it (an installed
        # copy, or a checkout on sys.path).
        root = str(Path(tracker.__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
            process = subprocess.Popen(
                _WORKER,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env=env,
            )
            try:
                assert process.stdin is not None
                process.stdin.write(json.dumps(job))
                process.stdin.close()
                yield cls(process, path, errors)
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
                if process.stdout is not None:
                    process.stdout.close()
                path.unlink(missing_ok=True)

    def wait_until_reading(self) -> None:
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "reading":
            self._fail()

    def append_to(self, out: TextIO) -> int:
        """Wait for the part, append its file to ``out``; its number of rows."""
        assert self.process.stdout is not None
        done = self.process.stdout.readline()
        if self.process.wait() != 0 or not done:
            self._fail()
        out.flush()
        with self.path.open("rb") as part:
            shutil.copyfileobj(part, out.buffer, 1 << 20)
        return int(json.loads(done)["rows"])

    def _fail(self) -> None:
        if self.process.poll() is None:  # it said something else than expected
            self.process.kill()
        self.process.wait()
        self.errors.seek(0)
        lines = [line for line in self.errors.read().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {self.process.returncode}"
        raise TrackerError(f"export: a helper process writing part of the file failed: {reason}")


def _filter_json(flt: StanceFilter) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in dataclasses.asdict(flt).items()
    }


def _filter_from_json(data: dict[str, Any]) -> StanceFilter:
    dates = {key: dt.date.fromisoformat(data[key]) for key in ("since", "until") if data.get(key)}
    return StanceFilter(**{**data, **dates})


def _work(job: dict[str, Any]) -> int:
    """One helper's part: read the shared snapshot, say so, write the part."""
    name, role, account_id = job["principal"]
    principal = Principal(name, Role(role), account_id)
    engine = make_engine(job["url"])
    try:
        if job["snapshot"] is not None:
            base = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        else:
            base = read_only(engine).connect()
        with base as connection, connection.begin():
            if job["snapshot"] is not None:
                if not _SNAPSHOT_ID.fullmatch(job["snapshot"]):
                    raise TrackerError(f"not a snapshot id: {job['snapshot']!r}")
                # The transaction's first statement, as PostgreSQL requires.
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{job['snapshot']}'")
            else:
                _start_reading(connection)
            print("reading", flush=True)
            with Session(bind=connection) as session:
                attach(session, principal)
                with open(job["path"], "w", encoding="utf-8", newline="") as out:
                    return export_stances(
                        session, _filter_from_json(job["filter"]), out, header=False
                    )
    finally:
        engine.dispose()


def main() -> int:
    try:
        rows = _work(json.load(sys.stdin))
    except TrackerError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps({"rows": rows}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
