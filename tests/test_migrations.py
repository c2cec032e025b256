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
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tracker import migrate
from tracker.db import make_engine, transaction
from tracker.models import Base
from tracker.search import search_sources


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
        checks = {c["name"] for c in inspect(engine).get_check_constraints("account")}
        assert {"ck_account_role", "ck_account_username_not_blank"} <= checks
        with pytest.raises(IntegrityError), engine.begin() as connection:  # the role CHECK
            connection.execute(
                text(
                    "INSERT INTO account (username, username_key, role, password_hash, disabled,"
                    " created_at, failed_logins) VALUES ('a', 'a', 'owner', '', false,"
                    " '2026-01-01 00:00:00', 0)"
                )
            )
    finally:
        engine.dispose()


FIRST_SCHEMA_ROWS = [
    "INSERT INTO actor (id, name, kind, created_at) VALUES (1, 'Ukraine', 'state', :t)",
    "INSERT INTO actor_alias (actor_id, alias, alias_key) VALUES (1, 'Kyiv', 'kyiv')",
    "INSERT INTO issue (id, slug, name, description, keywords, label_neg2, label_neg1,"
    " label_zero, label_pos1, label_pos2)"
    " VALUES (1, 'nato-membership', 'NATO', '', '[]', 'a', 'b', 'c', 'd', 'e')",
    "INSERT INTO source (id, title, outlet, url, text, content_hash, ingested_at)"
    " VALUES (1, 'T', '', '', 'Kyiv wants to join NATO soon.', 'h1', :t)",
    "INSERT INTO source (id, title, outlet, url, text, content_hash, duplicate_of, ingested_at)"
    " VALUES (2, 'T', '', '', 'Kyiv wants to join NATO, again.', 'h2', 1, :t)",
    "INSERT INTO stance (actor_id, issue_id, source_id, stated_on, position, confidence,"
    " quote, quote_start, quote_end, status, origin, annotator, note, created_at,"
    " updated_at, version) VALUES (1, 1, 1, '2025-08-18', 2, 1.0, 'join NATO', 14, 23,"
    " 'accepted', 'analyst', 'ana', '', :t, :t, 1)",
]


def add_first_schema_rows(connection: Connection) -> None:
    """FIRST_SCHEMA_ROWS, written in any schema from 0001 on."""
    for statement in FIRST_SCHEMA_ROWS:
        params = {"t": "2025-08-18 12:00:00"} if ":t" in statement else {}
        connection.execute(text(statement), params)


def test_existing_data_survives_every_upgrade(empty_db_url: str) -> None:
    """A database filled at the first schema keeps its rows, links and history."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as connection:
            add_first_schema_rows(connection)

        migrate.upgrade(engine)

        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM stance")).scalar() == 1
            dup = connection.execute(text("SELECT duplicate_of FROM source WHERE id = 2"))
            assert dup.scalar() == 1
            basis = connection.execute(text("SELECT published_basis FROM source WHERE id = 1"))
            assert basis.scalar() == ""
        with transaction(engine) as session:  # old rows are searchable after the upgrade
            assert [h.source_id for h in search_sources(session, "join NATO soon")] == [1]
    finally:
        engine.dispose()


def test_stance_evidence_migration_keeps_data_both_ways(empty_db_url: str) -> None:
    """0007 adds attribution and conditions: stored stances read as 'not recorded' and
    unconditional; going back to 0006 keeps every stance."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0006")
        with engine.begin() as connection:
            add_first_schema_rows(connection)

        migrate.upgrade(engine)

        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT attribution, reported_by_id, conditional, condition FROM stance")
            ).one()
            assert (row[0], row[1], bool(row[2]), row[3]) == (None, None, False, "")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE stance SET attribution = 'on_record', conditional = true,"
                    " condition = 'if Russia agrees'"
                )
            )
        for bad in (
            "UPDATE stance SET attribution = 'hearsay'",
            "UPDATE stance SET attribution = 'reported_by_other'",  # no reporter named
            "UPDATE stance SET reported_by_id = actor_id, attribution = 'reported_by_other'",
            "UPDATE stance SET conditional = false",  # a condition without the flag
            "UPDATE stance SET condition = ''",  # the flag without a condition
        ):
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(text(bad))
        checks = {c["name"] for c in inspect(engine).get_check_constraints("stance")}
        assert {"ck_stance_attribution", "ck_stance_reported_by", "ck_stance_condition"} <= checks

        migrate.downgrade(engine, "0006")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT quote FROM stance")).scalar() == "join NATO"
        assert "attribution" not in {c["name"] for c in inspect(engine).get_columns("stance")}
        migrate.upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM stance")).scalar() == 1
    finally:
        engine.dispose()


def test_proposal_migration_keeps_linked_stances_both_ways(empty_db_url: str) -> None:
    """0008 adds proposals; going back to 0007 drops them and the links, not the stances."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0007")
        with engine.begin() as connection:
            add_first_schema_rows(connection)
        migrate.upgrade(engine)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT proposal_id FROM stance")).scalar() is None
            connection.execute(
                text(
                    "INSERT INTO proposal (id, name, name_key, author_id, proposed_on, created_at)"
                    " VALUES (1, 'Plan', 'plan', 1, '2025-08-15', '2025-08-18 12:00:00')"
                )
            )
            connection.execute(text("UPDATE stance SET proposal_id = 1"))
        migrate.downgrade(engine, "0007")
        assert "proposal" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM stance")).scalar() == 1
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_double_coding_migration_keeps_stances_and_fills_coders(empty_db_url: str) -> None:
    """0009 adds the coder (who recorded each stance) to the passage constraint: stored
    stances survive with their coder; two coders may then share a passage; going back to
    0008 is refused while they do (nothing dropped silently), and works once they don't."""
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as connection:
            add_first_schema_rows(connection)
            connection.execute(  # recorded by "Ólga  Ivanova", last changed by "ana"
                text(
                    "INSERT INTO stance_event (stance_id, action, annotator, at)"
                    " VALUES (1, 'create', ' Ólga  Ivanova ', '2025-08-18 12:00:00')"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(text("SELECT id, quote, annotator, coder FROM stance")).one()
            assert tuple(row) == (1, "join NATO", "ana", "ólga ivanova")
        second = (
            FIRST_SCHEMA_ROWS[-1]
            .replace("'ana'", "'bo'")
            .replace("updated_at, version)", "updated_at, version, coder)")
            .replace(":t, :t, 1)", ":t, :t, 1, 'bo')")
        )
        with engine.begin() as connection:
            connection.execute(text(second), {"t": "2025-08-18 12:00:00"})
        with pytest.raises(IntegrityError), engine.begin() as connection:  # bo twice: no
            connection.execute(text(second), {"t": "2025-08-18 12:00:00"})
        with pytest.raises(RuntimeError, match="same actor, issue and passage"):
            migrate.downgrade(engine, "0008")
        # Refused at 0009: PostgreSQL rolls the whole downgrade back; on SQLite the steps
        # after 0009 stay down. Either way the coders' stances are all still there.
        assert migrate.current_revision(engine) in {"0009", migrate.head_revision()}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM stance")).scalar() == 2
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM stance WHERE coder = 'bo'"))
        migrate.downgrade(engine, "0008")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT quote FROM stance")).scalar() == "join NATO"
        assert "coder" not in {c["name"] for c in inspect(engine).get_columns("stance")}
        assert "double_coding" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_two_passages_of_one_article_count_after_0014_and_not_before(
    empty_db_url: str,
) -> None:
    """0014 refills the stored days: a second passage of the same article on the same day
    now counts (the day's mean), its rewrite still does not; 0013 had only the first."""
    engine = make_engine(empty_db_url)
    days = "SELECT position, stances, stance_id FROM position_day"
    try:
        migrate.upgrade(engine, "0013")
        with engine.begin() as connection:
            add_first_schema_rows(connection)
            stance = FIRST_SCHEMA_ROWS[-1]
            for source, quote, start, position in [(1, "NATO soon", 19, -1), (2, "NATO", 19, 2)]:
                connection.execute(
                    text(
                        stance.replace(
                            "1, 1, 1, '2025-08-18', 2", f"1, 1, {source}, '2025-08-18', {position}"
                        ).replace(
                            "'join NATO', 14, 23", f"'{quote}', {start}, {start + len(quote)}"
                        )
                    ),
                    {"t": "2025-08-18 12:00:00"},
                )
            connection.execute(text("DELETE FROM position_day"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            assert tuple(connection.execute(text(days)).one()) == (0.5, 2, 1)
        migrate.downgrade(engine, "0013")
        with engine.connect() as connection:
            assert tuple(connection.execute(text(days)).one()) == (2.0, 1, 1)
    finally:
        engine.dispose()


def test_source_band_comes_back_from_the_signatures_on_downgrade(empty_db_url: str) -> None:
    """0012 drops source_band (bands are read from source.minhash into memory); going
    back to 0011 rebuilds the rows the tracker then wrote: 64 per source with features,
    bucket a signed 64-bit BLAKE2b of the band's 8 bytes, none for a featureless text."""
    import hashlib

    from tracker.dedup import BANDS, EMPTY_SIGNATURE, signature

    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as connection:
            add_first_schema_rows(connection)
        migrate.upgrade(engine)
        assert "source_band" not in inspect(engine).get_table_names()
        sig = signature("Zelensky said Ukraine would not cede land for a ceasefire.")
        with engine.begin() as connection:
            update = text("UPDATE source SET minhash = :m WHERE id = :i")
            connection.execute(update, {"m": sig, "i": 1})
            connection.execute(update, {"m": EMPTY_SIGNATURE, "i": 2})

        migrate.downgrade(engine, "0011")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT source_id, band, bucket FROM source_band ORDER BY band")
            ).all()
        assert [(r[0], r[1]) for r in rows] == [(1, band) for band in range(BANDS)]
        first = hashlib.blake2b(sig[:8], digest_size=8).digest()
        assert rows[0][2] == int.from_bytes(first, "little", signed=True)

        migrate.upgrade(engine)
        assert "source_band" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
