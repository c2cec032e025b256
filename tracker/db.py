"""Engines and sessions, the same for the CLI, the dashboard and the tests."""

from __future__ import annotations

import enum
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from tracker.access import Principal, attach
from tracker.config import database_url
from tracker.errors import TrackerError

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option marking a connection whose transactions only read (see reading()).
READ_ONLY = "tracker_read_only"
_EXAMPLES = "e.g. sqlite:///tracker.db or postgresql://user:password@host:5432/dbname"
# The drivers we ship, by URL scheme. Plain postgresql:// would pick psycopg2, which we
# do not ship; it maps to psycopg 3.
_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


def parse_url(raw: str) -> URL:
    """Parse a database URL, naming the problem when it is not one we can use."""
    if not raw.lstrip().lower().startswith("sqlite") and raw.count("@") > 1:
        # An unencoded "@" in a password: parsers cut it anywhere (into the host, the
        # database or the query) and the rest of the password would be printed.
        raise TrackerError(f"database URL {_hide_password(raw)!r} is not valid{_ENCODE_HINT}")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        # ValueError: a part SQLAlchemy converts failed, e.g. a port that is not a number.
        detail = "" if isinstance(exc, ArgumentError) else " (is the port a number?)"
        raise TrackerError(
            f"database URL {_hide_password(raw)!r} is not valid{detail}; expected {_EXAMPLES}"
            + _ENCODE_HINT
        ) from None
    if url.host and "@" in url.host:
        # The password held an "@": the rest of it was read as the host (and the driver's
        # "cannot resolve host" message would have printed it).
        raise TrackerError(f"database URL {_hide_password(raw)!r} is not valid{_ENCODE_HINT}")
    if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
        raise TrackerError(
            f"database URL {safe_url(url)!r}: only SQLite and PostgreSQL are supported"
        )
    if url.drivername not in _DRIVERS:
        raise TrackerError(
            f"database URL {safe_url(url)!r}: driver {url.get_driver_name()!r} is not "
            "supported; use sqlite:/// or postgresql:// (psycopg)"
        )
    return url.set(drivername=_DRIVERS[url.drivername])


_ENCODE_HINT = (
    "; characters such as @ : / # % in a user name or password must be percent-encoded (@ as %40)"
)
_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&]*", re.IGNORECASE)


def _hide_password(raw: str) -> str:
    """A URL that does not parse, with everything between ``user:`` and the last ``@``
    hidden (a password may hold an unencoded "@"), and any ``password=`` parameter."""
    return _QUERY_PASSWORD.sub(r"\1***", re.sub(r"(//[^:/@]*:).*@", r"\1***@", raw))


def safe_url(url: URL | str) -> str:
    """The URL with its password hidden, fit for error messages and logs."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):
            return "<invalid URL>"
    return _QUERY_PASSWORD.sub(r"\1***", url.render_as_string(hide_password=True))


def make_engine(raw_url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``raw_url`` (or the configured default).

    SQLite gets foreign keys, WAL and a busy timeout on every connection, and
    write-safe transactions: pysqlite's own deferred BEGIN lets a transaction
    that read first fail at once with "database is locked" when another writer
    committed in between, so every transaction starts with BEGIN IMMEDIATE, except
    on connections of :func:`read_only` (sessions of :func:`reading`).
    """
    url = parse_url(database_url(raw_url))
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise TrackerError(
            f"database URL {safe_url(url)!r}: the database driver cannot be loaded ({exc})"
        ) from None
    except (ArgumentError, ValueError) as exc:  # e.g. ?timeout=abc in a SQLite URL
        raise TrackerError(f"database URL {safe_url(url)!r}: {exc}") from None
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers take a deferred BEGIN: in WAL mode they read a snapshot at once instead
        # of queueing (up to the busy timeout) behind a long import's write lock.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The same engine and connection pool, for work that only reads.

    On SQLite its transactions start with a deferred BEGIN, so they never wait for a
    writer; on PostgreSQL nothing changes. Write through it and a deferred transaction
    may fail with "database is locked": use :func:`transaction` for writes.
    """
    return engine.execution_options(**{READ_ONLY: True})


def check_connection(engine: Engine) -> None:
    """Fail with a one-line message when the database cannot be reached."""
    try:
        with read_only(engine).connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise TrackerError(f"cannot reach database {safe_url(engine.url)!r}: {reason}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine, principal: Principal | None = None) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error.

    ``principal`` is who acts (see :mod:`tracker.access`); without one, the command line."""
    with session_factory(engine).begin() as session:
        if principal is not None:
            attach(session, principal)
        yield session


class ReadOnlySessionError(TrackerError):
    """Something tried to save changes through a session opened by :func:`reading`."""


@contextmanager
def reading(engine: Engine, principal: Principal | None = None) -> Iterator[Session]:
    """A session for reads only (lists, exports, reports, dashboard pages).

    It never waits behind a writer on SQLite (see :func:`read_only`), refuses to flush
    changed objects, and ends with a rollback, so nothing done through it is kept.
    Objects it loaded stay readable after the block.
    """
    session = session_factory(read_only(engine))()
    if principal is not None:
        attach(session, principal)
    event.listen(session, "before_flush", _refuse_flush)
    try:
        yield session
    finally:
        session.close()  # rolls back; unlike rollback(), it leaves loaded objects readable


def _refuse_flush(session: Session, _flush_context: UOWTransaction, _instances: Any) -> None:
    raise ReadOnlySessionError(
        "changes cannot be saved through a session that only reads; nothing was saved"
    )


class WriteLock(enum.IntEnum):
    """PostgreSQL advisory locks, one number per kind of write they serialise (kept in one
    place so that two uses can never share a number by accident)."""

    POSITION_DAYS = 0x7052_4441  # refreshing stored days: two saves of one day see each other
    IMPORT = 0x7052_494D  # stance imports: overlapping files see each other's stances


def wait_for(session: Session, lock: WriteLock) -> None:
    """Take ``lock`` until the transaction ends, waiting for whoever holds it. SQLite
    needs none: its BEGIN IMMEDIATE already runs one writer at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(lock)})
