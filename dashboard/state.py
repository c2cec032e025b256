"""Resources shared by every page: the database engine, kept once per server process.

Pages import this module, never ``app.py`` (importing the entry file re-runs navigation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.config import database_url
from tracker.db import check_connection, make_engine, read_only, safe_url, transaction
from tracker.db import reading as tracker_reading
from tracker.errors import TrackerError


@st.cache_resource
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine() -> Engine:
    """The engine for the configured database; stops the page with a message if unusable."""
    url = database_url()
    try:
        eng = _engine(url)
        check_connection(eng)
        if not migrate.is_up_to_date(read_only(eng)):
            raise TrackerError(
                f"the database {safe_url(url)} has no tracker schema or an old one. "
                "Run `tracker db upgrade`, or `tracker demo` to load the demo data."
            )
    except TrackerError as exc:
        st.error(str(exc))
        st.stop()
    return eng


@contextmanager
def session() -> Iterator[Session]:
    """A write transaction: committed when the block succeeds, rolled back on an error.

    On SQLite it waits for any other writer (an import, another analyst's save)."""
    with transaction(engine()) as s:
        yield s


@contextmanager
def reading() -> Iterator[Session]:
    """A session for blocks that only read (tables, charts, pickers, previews).

    On SQLite it reads at once even while an import holds the write lock; it refuses to
    save changed objects and keeps nothing. Use :func:`session` for anything that writes."""
    with tracker_reading(engine()) as s:
        yield s


def analyst_name() -> str:
    """The analyst's name for this browser session, or "" while not given (asks in the
    sidebar; kept for the session; accounts come later)."""
    return str(
        st.sidebar.text_input("Your name (recorded with every change)", key="analyst")
    ).strip()


def analyst() -> str:
    """The analyst's name; stops the page with a message until it is given."""
    name = analyst_name()
    if not name:
        st.info("Enter your name in the sidebar: every change is recorded with it.")
        st.stop()
    return name
