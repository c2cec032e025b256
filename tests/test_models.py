"""The schema itself refuses bad rows, whatever code writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_issue, make_source, make_stance
from tracker.db import transaction
from tracker.models import Actor, ActorAlias, Stance, UTCDateTime


def _stance_values(session: Session, **overrides: object) -> dict[str, object]:
    source = make_source(session)
    values: dict[str, object] = {
        "actor_id": make_actor(session).id,
        "issue_id": make_issue(session).id,
        "source_id": source.id,
        "stated_on": dt.date(2025, 8, 13),
        "position": 1,
        "confidence": 0.5,
        "quote": "ceasefire",
        "quote_start": 10,
        "quote_end": 19,
        "status": "accepted",
        "origin": "analyst",
        "annotator": "ana",
        "note": "",
        "created_at": dt.datetime.now(dt.UTC),
        "updated_at": dt.datetime.now(dt.UTC),
        "version": 1,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"position": 3}, "position"),
        ({"position": -3}, "position"),
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": -0.1}, "confidence"),
        ({"quote": "", "quote_start": 5, "quote_end": 5}, "quote_offsets"),
        ({"quote_start": -1, "quote_end": 8}, "quote_offsets"),
        ({"quote_end": 25}, "quote_length"),  # span longer than the quote
        ({"status": "maybe"}, "status"),
        ({"origin": "rumour"}, "origin"),
    ],
)
def test_stance_check_constraints(
    engine: Engine, overrides: dict[str, object], constraint: str
) -> None:
    with transaction(engine) as session:
        values = _stance_values(session, **overrides)
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(insert(Stance).values(**values))
    # The named constraint is what failed (PostgreSQL names it; SQLite says CHECK).
    message = str(caught.value.orig)
    assert f"ck_stance_{constraint}" in message or "CHECK constraint failed" in message


def test_stance_needs_existing_actor(engine: Engine) -> None:
    """Foreign keys are enforced on SQLite too (the connect-time pragma is on)."""
    with transaction(engine) as session:
        values = _stance_values(session, actor_id=999_999)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(Stance).values(**values))


def test_actor_kind_is_checked(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            insert(Actor).values(name="X", kind="alien", created_at=dt.datetime.now(dt.UTC))
        )


def test_alias_keys_are_unique(engine: Engine) -> None:
    with transaction(engine) as session:
        actor = make_actor(session, "Volodymyr Zelenskyy")
        actor_id = actor.id
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            insert(ActorAlias).values(
                actor_id=actor_id, alias="VOLODYMYR ZELENSKYY", alias_key="volodymyr zelenskyy"
            )
        )


def test_timestamps_come_back_in_utc(engine: Engine) -> None:
    with transaction(engine) as session:
        stance_id = make_stance(session).id
    with transaction(engine) as session:
        stance = session.get(Stance, stance_id)
        assert stance is not None
        assert stance.created_at.tzinfo is not None
        assert stance.created_at.utcoffset() == dt.timedelta(0)
        assert abs(dt.datetime.now(dt.UTC) - stance.created_at) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2025, 8, 13, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 8, 13, 9, 30, 0, 5, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 30, 1, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
        dt.datetime(999, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(minutes=330))),
    ],
)
def test_bulk_timestamp_text_is_what_sqlite_binding_stores(value: dt.datetime) -> None:
    """Imports write SQLite timestamps through UTCDateTime.sqlite_text: the same text the
    type's processors store, or imported stances would sort and compare differently."""
    dialect = sqlite.dialect()
    column = UTCDateTime()
    impl = column.dialect_impl(dialect)
    process = impl.bind_processor(dialect)
    assert process is not None
    assert UTCDateTime.sqlite_text(value) == process(value)
    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime.sqlite_text(value.replace(tzinfo=None))


def test_version_increments_on_each_change(engine: Engine) -> None:
    with transaction(engine) as session:
        stance = make_stance(session)
        assert stance.version == 1
        stance.note = "changed"
        session.flush()
        assert stance.version == 2


def test_sqlite_connections_are_configured(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000


def test_party_link_is_set_null_when_party_deleted(engine: Engine) -> None:
    with transaction(engine) as session:
        ukraine = make_actor(session, "Ukraine", kind="state")
        zelenskyy = make_actor(session, "Zelenskyy", party=ukraine)
        z_id, u_id = zelenskyy.id, ukraine.id
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM actor_alias WHERE actor_id = :i"), {"i": u_id})
        connection.execute(text("DELETE FROM actor WHERE id = :i"), {"i": u_id})
    with transaction(engine) as session:
        assert session.scalar(select(Actor.party_id).where(Actor.id == z_id)) is None
