"""The stored per-day positions always equal what the stances say.

Every write path (tag, edit, review, delete, import, merge, linking rewrites) is driven
in a random order and after each step ``position_day`` must match the positions computed
from the stances; a stale row would put a wrong point on a chart or miss a shift in the
weekly report.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import random
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_issue, make_source
from tracker.actor_merge import merge_actors
from tracker.db import transaction
from tracker.export_parts import export_stances_to
from tracker.models import PositionDay, Source, Stance, StanceStatus
from tracker.position_days import rebuild
from tracker.sources import mark_duplicate
from tracker.stance_import import import_stances
from tracker.stance_query import StanceFilter
from tracker.stances import (
    StanceChanges,
    delete_stance,
    record_stance,
    review_stance,
    update_stance,
)
from tracker.timelines import SeriesFilter, computed_days, day_positions, shifts

ROOT = Path(__file__).resolve().parents[1]
QUOTES = [
    "Kyiv, Monday",
    "there should be a ceasefire first",
    "then security guarantees",
    "Moscow ruled out the deployment",
    "troops from NATO countries",
]


def stored(session: Session) -> set[tuple[Any, ...]]:
    rows = session.execute(
        select(
            PositionDay.actor_id,
            PositionDay.issue_id,
            PositionDay.day,
            PositionDay.position,
            PositionDay.stances,
            PositionDay.stance_id,
        )
    ).all()
    return {(a, i, _date(d), round(float(p), 6), n, s) for a, i, d, p, n, s in rows}


def computed(session: Session) -> set[tuple[Any, ...]]:
    rows = session.execute(computed_days(session, SeriesFilter())).all()
    return {(a, i, _date(d), round(float(p), 6), n, s) for a, i, d, p, n, s in rows}


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def assert_in_step(session: Session, step: str) -> None:
    session.flush()
    assert stored(session) == computed(session), f"position_day out of step after {step}"


def test_the_demo_is_stored_as_computed(demo_url: str, engine: Engine) -> None:
    with transaction(engine) as session:
        assert stored(session), "the demo has accepted stances, so it has stored days"
        assert_in_step(session, "loading the demo")
        trump = shifts(session, SeriesFilter(issue="ceasefire-first", actors=["Trump"]))
        assert [(s.before.position, s.after.position) for s in trump] == [(2.0, -2.0)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_write_keeps_the_stored_days_in_step(
    engine: Engine, tmp_path: Path, seed: int
) -> None:
    rnd = random.Random(seed)
    days = [dt.date(2025, 8, d) for d in (11, 12, 13)]
    with transaction(engine) as session:
        party = make_actor(session, "Party", kind="state")
        actors = [make_actor(session, f"Speaker {n}", party=party) for n in range(4)]
        issues = [make_issue(session, f"topic-{n}") for n in range(2)]
        sources = [make_source(session, published_on=rnd.choice(days)) for _ in range(4)]
        for step in range(60):
            live = list(session.scalars(select(Stance).order_by(Stance.id)))
            action = rnd.choice(
                ["record", "record", "record", "edit", "review", "delete", "duplicate", "merge"]
            )
            if action == "record" or not live:
                action = "record"
                taken = {(s.actor_id, s.issue_id, s.source_id, s.quote) for s in live}
                actor, issue = rnd.choice(actors), rnd.choice(issues)
                source, quote = rnd.choice(sources), rnd.choice(QUOTES)
                if (actor.id, issue.id, source.id, quote) in taken:
                    continue
                record_stance(
                    session,
                    actor=actor,
                    issue=issue,
                    source=source,
                    position=rnd.randint(-2, 2),
                    quote=quote,
                    annotator="ana",
                    stated_on=rnd.choice(days),
                    confidence=rnd.choice([0.5, 1.0]),
                    status=rnd.choice(["accepted", "accepted", "suggested"]),
                    attribution=rnd.choice([None, "on_record", "paraphrase", "anonymous_source"]),
                )
            elif action == "edit":
                stance = rnd.choice(live)
                mover = rnd.choice(actors) if rnd.random() < 0.3 else None
                if mover and any(
                    (s.actor_id, s.issue_id, s.source_id, s.quote_start)
                    == (mover.id, stance.issue_id, stance.source_id, stance.quote_start)
                    for s in live
                ):
                    mover = None  # that passage is taken for this actor: refused, tested elsewhere
                update_stance(
                    session,
                    stance.id,
                    StanceChanges(
                        position=rnd.randint(-2, 2),
                        stated_on=rnd.choice(days),
                        actor=mover,
                        conditional=rnd.random() < 0.3,
                        condition="if talks resume",
                    ),
                    annotator="bo",
                    expected_version=stance.version,
                )
            elif action == "review":
                stance = rnd.choice(live)
                review_stance(
                    session,
                    stance.id,
                    accept=rnd.random() < 0.5,
                    annotator="bo",
                    expected_version=stance.version,
                )
            elif action == "delete":
                stance = rnd.choice(live)
                delete_stance(session, stance.id, annotator="bo", expected_version=stance.version)
            elif action == "duplicate":
                rewrite, original = rnd.sample(sources, 2)
                has_rewrites = session.scalars(
                    select(Source.id).where(Source.duplicate_of == rewrite.id)
                ).first()
                if original.duplicate_of is None and not has_rewrites:
                    mark_duplicate(session, rewrite, original if rnd.random() < 0.7 else None)
            elif action == "merge" and len(actors) > 2:
                drop = actors.pop(rnd.randrange(1, len(actors)))
                merge_actors(session, actors[0], drop, annotator="bo")
            assert_in_step(session, f"step {step} ({action})")
        assert stored(session), "some accepted stances were left to store"

    # A CSV round trip that reverses every position updates the stored days too.
    path = tmp_path / "stances.csv"
    with transaction(engine) as session:
        export_stances_to(session, StanceFilter(), str(path), excel=False)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["position"] = str(-int(row["position"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_stances(engine, path, annotator="cy")
    assert report.updated == sum(1 for r in rows if r["position"] != "0")
    with transaction(engine) as session:
        assert_in_step(session, "a CSV import that changed positions")


def test_rebuild_and_the_migration_fill_agree_with_the_stances(
    demo_url: str, engine: Engine
) -> None:
    spec = importlib.util.spec_from_file_location(
        "m0005", ROOT / "migrations" / "versions" / "0005_position_day.py"
    )
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with transaction(engine) as session:
        expected = computed(session)
        session.execute(delete(PositionDay))
        session.execute(text(migration.FILL))
        assert stored(session) == expected
        assert rebuild(session) == len(expected)
        assert stored(session) == expected


def test_other_filters_are_computed_on_the_fly(demo_url: str, engine: Engine) -> None:
    """A filter position_day does not hold (suggested stances too) still sees them."""
    with transaction(engine) as session:
        source = session.scalars(select(Source).order_by(Source.id)).first()
        assert source is not None
        actor = make_actor(session, "A suggested voice")
        issue = make_issue(session, "suggested-only")
        record_stance(
            session,
            actor=actor,
            issue=issue,
            source=source,
            position=-1,
            quote=source.text[:20],
            annotator="ana",
            stated_on=dt.date(2025, 8, 14),
            status=StanceStatus.SUGGESTED.value,
        )
        default = day_positions(session, SeriesFilter(issue="suggested-only"))
        wider = day_positions(
            session, SeriesFilter(issue="suggested-only", statuses=("accepted", "suggested"))
        )
        assert default == []
        assert [(p.actor, p.position) for p in wider] == [("A suggested voice", -1.0)]


def test_two_analysts_saving_the_same_day_both_count(engine: Engine) -> None:
    """On PostgreSQL two saves of one actor's day can overlap: the second waits for the
    first, then recomputes the day with both stances."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE)")
    with transaction(engine) as session:
        actor, issue = make_actor(session, "Busy"), make_issue(session, "busy-issue")
        first, second = make_source(session), make_source(session)
        ids = (actor.id, issue.id, first.id, second.id)

    def save(source_id: int, position: int, hold: threading.Event | None) -> None:
        with transaction(engine) as s:
            record_stance(
                s,
                actor=s.get_one(type(actor), ids[0]),
                issue=s.get_one(type(issue), ids[1]),
                source=s.get_one(Source, source_id),
                position=position,
                quote="there should be a ceasefire first",
                annotator="ana",
            )
            if hold is not None:
                hold.set()
                release.wait(5)

    release, saved = threading.Event(), threading.Event()
    one = threading.Thread(target=save, args=(ids[2], 2, saved))
    one.start()
    assert saved.wait(5)
    two = threading.Thread(target=save, args=(ids[3], 0, None))
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second save waits for the first to commit"
    release.set()
    one.join(5)
    two.join(5)
    with transaction(engine) as session:
        (point,) = day_positions(session, SeriesFilter(issue="busy-issue"))
        assert (point.position, point.stances) == (1.0, 2)
        assert_in_step(session, "two overlapping saves")


def test_db_refresh_repairs_days_changed_behind_the_trackers_back(
    demo_url: str, engine: Engine
) -> None:
    """Someone edits a stance with SQL: `tracker db refresh` brings the timelines back."""
    from typer.testing import CliRunner

    from tracker.cli import app

    with transaction(engine) as session:
        trump = session.scalars(
            select(Stance).where(Stance.stated_on == dt.date(2025, 8, 18)).order_by(Stance.id)
        ).first()
        assert trump is not None
        session.execute(text("UPDATE stance SET position = 1 WHERE id = :id"), {"id": trump.id})
        assert stored(session) != computed(session)
    result = CliRunner().invoke(app, ["--db", demo_url, "db", "refresh"])
    assert result.exit_code == 0, result.output
    assert "recomputed from the stances" in result.output
    with transaction(engine) as session:
        assert_in_step(session, "tracker db refresh")
