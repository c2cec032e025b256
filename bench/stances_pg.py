"""PostgreSQL copies of the generated stance databases (``bench.stances_data``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tracker.db import make_engine
from tracker.migrate import upgrade

PG_TABLES = ("issue", "actor", "actor_alias", "source", "stance", "position_day")


def pg_conninfo(url: str, database: str | None = None) -> str:
    """A libpq URL for psycopg from a SQLAlchemy-style one, optionally another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def load_postgres(sqlite_path: Path, url: str, database: str) -> str:
    """Recreate ``database`` on the server of ``url``, migrated, with a generated file's rows.

    Secondary indexes of ``source`` and ``stance`` are dropped during ``COPY`` and built
    again after it, then the database is vacuumed and analysed (as autovacuum would)."""
    with psycopg.connect(pg_conninfo(url), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    target = pg_conninfo(url, database)
    engine = make_engine(target)
    upgrade(engine)
    engine.dispose()
    lite = sqlite3.connect(sqlite_path)
    try:
        with psycopg.connect(target) as pg:
            pg.execute("SET TIME ZONE 'UTC'")  # the file's timestamps are naive UTC
            indexes = pg.execute(
                "SELECT indexname, indexdef FROM pg_indexes i "
                "WHERE tablename IN ('source', 'stance') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ).fetchall()
            for name, _ in indexes:
                pg.execute(f"DROP INDEX {name}")
            for table in PG_TABLES:
                _copy_table(lite, pg, table)
            for _, definition in indexes:
                pg.execute(definition)
    finally:
        lite.close()
    with psycopg.connect(target, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
    return target


def _copy_table(lite: sqlite3.Connection, pg: psycopg.Connection, table: str) -> None:
    columns = ", ".join(row[1] for row in lite.execute(f"PRAGMA table_info({table})"))
    with pg.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in lite.execute(f"SELECT {columns} FROM {table} ORDER BY rowid"):
            copy.write_row(row)
    if table == "position_day":
        return  # keyed by actor, issue and day: no id sequence
    pg.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
        "HAVING max(id) IS NOT NULL"
    )
