"""A large import builds the indexes at the end (tracker.bulk_load): the same result, the
same indexes afterwards, and nothing written, indexes included, when it fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, inspect, select

from tests.test_stance_csv import export_text
from tracker import migrate, stance_import
from tracker.db import make_engine, transaction
from tracker.demo import load_demo
from tracker.models import Stance, StanceEvent
from tracker.stance_import import import_stances
from tracker.stance_validation import ImportProblems


@pytest.fixture
def target(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty database with the demo's sources, where any import counts as large."""
    monkeypatch.setattr(stance_import, "BULK_ABOVE", 0)
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    load_demo(engine, with_stances=False)
    yield engine
    engine.dispose()


def _indexes(engine: Engine) -> dict[str, list[tuple[str, bool]]]:
    found = inspect(engine)
    return {
        table: sorted((str(i["name"]), bool(i["unique"])) for i in found.get_indexes(table))
        for table in ("stance", "stance_event")
    }


def test_a_large_import_gives_the_same_stances_and_indexes(engine: Engine, target: Engine) -> None:
    load_demo(engine)
    exported = export_text(engine)
    before = _indexes(target)
    report = import_stances(target, "demo.csv", text=exported)
    assert report.created == 43
    assert export_text(target) == exported
    assert _indexes(target) == before
    with transaction(target) as session:
        assert session.scalar(select(func.count()).select_from(StanceEvent)) == 43


def test_a_failed_large_import_writes_nothing(engine: Engine, target: Engine) -> None:
    load_demo(engine)
    lines = export_text(engine).splitlines(keepends=True)
    bad = lines[-1].replace(",accepted,", ",maybe,", 1)
    before = _indexes(target)
    with pytest.raises(ImportProblems, match="unknown status 'maybe'"):
        import_stances(target, "demo.csv", text="".join([*lines[:-1], bad]))
    assert _indexes(target) == before
    with transaction(target) as session:
        assert session.scalar(select(func.count()).select_from(Stance)) == 0
