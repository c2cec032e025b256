"""Alembic environment: the URL comes from the tracker's settings, or a connection is passed in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from tracker.db import make_engine
from tracker.models import Base

config = context.config
target_metadata = Base.metadata


# Full-text search lives outside the models (an FTS5 table and its shadow tables on
# SQLite, an expression index on PostgreSQL); autogenerate must not try to drop it.
NOT_IN_MODELS = ("source_fts", "ix_source_fts")


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(NOT_IN_MODELS)


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys enforced the
        # drop fails while other rows point at the table. The pragma only works outside
        # a transaction, hence the raw driver connection.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        _configure_and_run(connection)
    finally:
        if sqlite and not connection.in_transaction():
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:  # never commit a rebuild that left dangling references
                raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    # pytest-alembic hands over an Engine; otherwise use the configured database.
    engine = (
        given
        if isinstance(given, Engine)
        else make_engine(config.get_main_option("sqlalchemy.url") or None)
    )
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        if given is None:
            engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
