"""Every test gets its own freshly migrated database: SQLite by default, PostgreSQL when
TRACKER_TEST_POSTGRES_URL names a server (an admin URL such as
postgresql://postgres@127.0.0.1:54329/postgres). The suite is run once per backend.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.models import Base

pytest.register_assert_rewrite("tests.browser")

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "").strip()
BACKEND = "postgresql" if PG_ADMIN_URL else "sqlite"


def pytest_report_header() -> str:
    return f"tracker database backend: {BACKEND}"


# The databases this test process made on the PostgreSQL server, dropped when it ends.
_CREATED: set[str] = set()


def _process_name(kind: str) -> str:
    """A database name of this test process's own: named by the xdist worker alone, two
    test runs on one server (two developers, or a helper's clone) dropped each other's."""
    return f"tracker_{kind}_{os.getpid()}"


def _pg_database_url(name: str) -> str:
    """Create (or re-create) database ``name`` on the test server and return its URL."""
    _run_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    _CREATED.add(name)
    url = make_url(PG_ADMIN_URL).set(database=name)
    return url.render_as_string(hide_password=False)


def _run_on_server(*statements: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this process's databases (each xdist worker runs this for its own)."""
    if _CREATED:
        _run_on_server(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in sorted(_CREATED)))


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database migrated to head per test process; tests get copies or a cleaned one."""
    if BACKEND == "postgresql":
        url = _pg_database_url(_process_name("test"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def db_url(_migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database at the newest schema, for this test alone."""
    if BACKEND == "postgresql":
        engine = make_engine(_migrated_template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield _migrated_template
    else:
        template = Path(make_url(_migrated_template).database or "")
        target = tmp_path / "tracker.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"


@pytest.fixture
def empty_db_url(tmp_path: Path) -> str:
    """URL of a database with no tables at all, for migration tests."""
    if BACKEND == "postgresql":
        return _pg_database_url(_process_name("empty"))
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the test body finishes without error."""
    with transaction(engine) as s:
        yield s


@pytest.fixture
def demo_url(db_url: str) -> str:
    """A database with the seeded demo loaded."""
    from tracker.demo import load_demo

    eng = make_engine(db_url)
    load_demo(eng)
    eng.dispose()
    return db_url


@pytest.fixture
def dashboard_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Clear Streamlit's caches: st.cache_resource outlives AppTest instances."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.delenv(ENV_VAR, raising=False)
