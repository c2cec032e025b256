"""Migrations: one head, up and down cleanly on both backends, and they match the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.config import Config
from pytest_alembic.tests import (  # noqa: F401  (collected as tests of this module)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, inspect

from tracker import migrate
from tracker.db import make_engine
from tracker.models import Base


@pytest.fixture
def alembic_config() -> Config:
    return migrate.alembic_config()


@pytest.fixture
def alembic_engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert migrate.is_up_to_date(engine)

        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(engine) is None

        migrate.upgrade(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_named_constraints_survive_the_migration(empty_db_url: str) -> None:
    """Alembic can only drop what has a name: every check constraint is named."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        checks = {c["name"] for c in inspect(engine).get_check_constraints("stance")}
        assert {"ck_stance_position", "ck_stance_confidence", "ck_stance_quote_length"} <= checks
    finally:
        engine.dispose()
