"""Bad input on every path: a one-line message naming the problem, nothing written, no
traceback. Searches, output files, database URLs, stance CSV cells, links, the dashboard
command and ingestion batches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from tests.factories import make_source
from tracker.cli import app
from tracker.db import make_engine, transaction
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
