"""Roles enforced in the services: every role against every write path, on a real database.

A refused write raises PermissionDenied with a clear message and leaves the database as it
was; an allowed one goes through. The dashboard attaches the signed-in account to its
sessions; sessions with no principal (the command line, these fixtures) act as SYSTEM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from tests.factories import ARTICLE, make_account, make_actor, make_issue, make_source, make_stance
from tracker import accounts, position_days
from tracker.access import SYSTEM, Principal, principal_of
from tracker.actor_merge import merge_actors
from tracker.actors import ActorRow, add_alias, create_actor, get_actor, import_actors, update_actor
from tracker.db import reading, transaction
from tracker.errors import PermissionDenied
from tracker.ingest import Input, ingest_inputs
from tracker.issues import IssueRow, get_issue, save_issue
from tracker.models import Base, PositionDay, Role, Stance, StanceEvent
from tracker.position_days import rebuild
from tracker.sources import add_source, get_source
from tracker.stance_import import import_stances
from tracker.stances import (
    StanceChanges,
    delete_stance,
    get_stance,
    record_stance,
    review_stance,
    update_stance,
)
from tracker.suggest import suggest_sources

ROLES = [r.value for r in Role]


@dataclass
class World:
    """What the write paths act on: ana's stance and bob's, two actors, an issue, a source."""

    ana_stance: int
    bob_stance: int
    source: int
    accounts: dict[str, Principal]


@pytest.fixture
def world(engine: Engine) -> World:
    with transaction(engine) as s:  # SYSTEM: the command line
        issue = make_issue(s, "ceasefire-first")
        source = make_source(s)
        ana = make_stance(s, issue=issue, source=source, annotator="ana")
        bob = make_stance(
            s, issue=issue, source=source, annotator="bob", quote="security guarantees"
        )
        make_actor(s, "Keep Me")
        make_actor(s, "Merge Me")
        people = {}
        for role in ROLES:
            # The analyst is ana, who recorded the first stance; the others are named by role.
            name = "ana" if role == "analyst" else f"{role}1"
            account = make_account(s, name, role=role)
            people[role] = Principal(account.username, Role(role), account.id)
        return World(ana.id, bob.id, source.id, people)


CSV = (
    "actor,issue,source_id,stated_on,position,quote\n"
    'Keep Me,ceasefire-first,{source},2025-08-13,1,"Kyiv, Monday"\n'
)


def _version(s: Session, stance_id: int) -> int:
    return get_stance(s, stance_id).version


# Each write path: the lowest role allowed, and the write (through a session as someone).
WRITES: dict[str, tuple[str, Callable[[Session, World], Any]]] = {
    "record a stance": (
        "analyst",
        lambda s, w: record_stance(
            s,
            actor=get_actor(s, "Keep Me"),
            issue=get_issue(s, "ceasefire-first"),
            source=get_source(s, w.source),
            position=1,
            quote="Kyiv, Monday",
            annotator="typed name",
        ),
    ),
    "edit own stance": (
        "analyst",
        lambda s, w: update_stance(
            s,
            w.ana_stance,
            StanceChanges(position=-1),
            annotator="x",
            expected_version=_version(s, w.ana_stance),
        ),
    ),
    "edit someone else's stance": (
        "reviewer",
        lambda s, w: update_stance(
            s,
            w.bob_stance,
            StanceChanges(position=-1),
            annotator="x",
            expected_version=_version(s, w.bob_stance),
        ),
    ),
    "delete own stance": (
        "analyst",
        lambda s, w: delete_stance(
            s, w.ana_stance, annotator="x", expected_version=_version(s, w.ana_stance)
        ),
    ),
    "delete someone else's stance": (
        "reviewer",
        lambda s, w: delete_stance(
            s, w.bob_stance, annotator="x", expected_version=_version(s, w.bob_stance)
        ),
    ),
    "accept a stance": (
        "reviewer",
        lambda s, w: review_stance(
            s, w.ana_stance, accept=True, annotator="x", expected_version=_version(s, w.ana_stance)
        ),
    ),
    "merge actors": (
        "reviewer",
        lambda s, w: merge_actors(
            s, get_actor(s, "Keep Me"), get_actor(s, "Merge Me"), annotator="x"
        ),
    ),
    "add an actor": ("analyst", lambda s, w: create_actor(s, "New Actor", "person")),
    "edit an actor": ("admin", lambda s, w: update_actor(s, get_actor(s, "Keep Me"), kind="state")),
    "add an alias": ("admin", lambda s, w: add_alias(s, get_actor(s, "Keep Me"), "Keeper")),
    "import actors": ("admin", lambda s, w: import_actors(s, [ActorRow("Imported", "person")])),
    "edit an issue": (
        "admin",
        lambda s, w: save_issue(s, IssueRow("ceasefire-first", "Renamed")),
    ),
    "add a source": ("analyst", lambda s, w: add_source(s, "A new statement from Kyiv.")),
    "suggest stances": ("analyst", lambda s, w: suggest_sources(s, [get_source(s, w.source)])),
    "recompute positions": ("admin", lambda s, w: rebuild(s)),
    "add an account": ("admin", lambda s, w: accounts.add_account(s, "newbie", "viewer")),
    "change a role": ("admin", lambda s, w: accounts.set_role(s, "ana", "reviewer")),
    "disable an account": ("admin", lambda s, w: accounts.set_disabled(s, "ana", True)),
}


def fingerprint(engine: Engine) -> dict[str, Any]:
    """Every table's row count, the stances' versions and the accounts' roles."""
    with reading(engine) as s:
        counts = {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }
        versions = s.execute(text("SELECT id, version, position FROM stance ORDER BY id")).all()
        roles = s.execute(text("SELECT username, role, disabled FROM account ORDER BY id")).all()
        kinds = s.execute(text("SELECT name, kind FROM actor ORDER BY id")).all()
        issues = s.execute(text("SELECT slug, name FROM issue ORDER BY id")).all()
    return {"counts": counts, "stances": versions, "roles": roles, "actors": kinds, "i": issues}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_write(engine: Engine, world: World, role: str, write: str) -> None:
    lowest, do = WRITES[write]
    allowed = ROLES.index(role) >= ROLES.index(lowest)
    before = fingerprint(engine)
    if allowed:
        with transaction(engine, world.accounts[role]) as s:
            do(s, world)
        return
    with pytest.raises(PermissionDenied, match=rf"^{role}s can.*nothing was saved$"):
        with transaction(engine, world.accounts[role]) as s:
            do(s, world)
    assert fingerprint(engine) == before, "a refused write changed the database"


def test_the_message_names_the_role_and_what_it_takes(engine: Engine, world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        with transaction(engine, world.accounts["viewer"]) as s:
            WRITES["record a stance"][1](s, world)
    assert str(refused.value) == (
        "viewers cannot record stances (signed in as viewer1; it takes the analyst role or "
        "higher); nothing was saved"
    )


def test_an_analyst_is_told_whose_stance_it_is(engine: Engine, world: World) -> None:
    with pytest.raises(
        PermissionDenied, match="only the stances they recorded; stance #2 was recorded by bob"
    ):
        with transaction(engine, world.accounts["analyst"]) as s:
            WRITES["edit someone else's stance"][1](s, world)


def test_ownership_ignores_case(engine: Engine, world: World) -> None:
    """Stances typed as "Ana" before accounts existed belong to the account ana."""
    with transaction(engine) as s:
        theirs = make_stance(s, source=get_source(s, world.source), annotator="ANA")
    with transaction(engine, world.accounts["analyst"]) as s:
        update_stance(s, theirs.id, StanceChanges(note="mine"), annotator="x", expected_version=1)


def test_the_account_name_is_recorded_whatever_name_is_passed(engine: Engine, world: World) -> None:
    with transaction(engine, world.accounts["reviewer"]) as s:
        stance = WRITES["record a stance"][1](s, world)
        review_stance(s, world.bob_stance, accept=False, annotator="mallory", expected_version=1)
        new_id = stance.id
    with reading(engine) as s:
        assert get_stance(s, new_id).annotator == "reviewer1"
        names = s.scalars(
            select(StanceEvent.annotator).where(
                StanceEvent.stance_id.in_([new_id, world.bob_stance])
            )
        ).all()
    assert set(names) == {"reviewer1", "bob"}  # bob's own 'create', then the reviewer's


def test_the_command_line_acts_as_system_with_the_name_given(engine: Engine) -> None:
    with transaction(engine) as s:
        assert principal_of(s) is SYSTEM
        stance = make_stance(s, annotator="typed on the command line")
    assert stance.annotator == "typed on the command line"


def test_a_viewer_cannot_ingest_or_import(engine: Engine, world: World, tmp_path: Any) -> None:
    before = fingerprint(engine)
    item = Input("pasted", lambda: f"{ARTICLE} A viewer's paste.".encode())
    with pytest.raises(PermissionDenied, match="viewers cannot add sources"):
        ingest_inputs(engine, [item], principal=world.accounts["viewer"])
    path = tmp_path / "stances.csv"
    path.write_text(CSV.format(source=world.source), encoding="utf-8")
    for role in ("viewer", "analyst"):
        with pytest.raises(PermissionDenied, match=f"{role}s cannot import stances"):
            import_stances(engine, path, principal=world.accounts[role])
    assert fingerprint(engine) == before
    # A dry run writes nothing, so any role may check a file.
    report = import_stances(engine, path, dry_run=True, principal=world.accounts["viewer"])
    assert report.created == 1
    results = ingest_inputs(engine, [item], principal=world.accounts["analyst"])
    assert results[0].status == "added"
    import_stances(engine, path, principal=world.accounts["reviewer"])
    with reading(engine) as s:
        imported = s.scalars(select(Stance).where(Stance.quote == "Kyiv, Monday")).one()
        assert imported.annotator == "reviewer1"


def test_a_big_import_by_a_reviewer_recomputes_the_positions_it_needs(
    engine: Engine, world: World, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a size, an import recomputes every stored day instead of the days it touched;
    that is part of the import, not the admins' `tracker db refresh`."""
    monkeypatch.setattr(position_days, "REBUILD_ABOVE", 0)
    path = tmp_path / "stances.csv"
    path.write_text(CSV.format(source=world.source), encoding="utf-8")
    report = import_stances(engine, path, principal=world.accounts["reviewer"])
    assert report.created == 1
    with reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(PositionDay)) >= 1


def test_history_rows_cannot_be_changed_or_deleted(engine: Engine, world: World) -> None:
    """The audit trail is append-only in the model: no service can edit or remove a row."""
    for change in ("edit", "delete"):
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            with transaction(engine) as s:
                event = s.scalars(select(StanceEvent)).first()
                assert event is not None
                if change == "edit":
                    event.annotator = "someone else"
                else:
                    s.delete(event)
                s.flush()
    with reading(engine) as s:
        assert s.scalar(select(StanceEvent.annotator).order_by(StanceEvent.id)) == "ana"
    import tracker.history as history_module

    public = [n for n in dir(history_module) if not n.startswith("_")]
    writers = [n for n in public if n.split("_")[0] in ("add", "update", "delete", "set", "edit")]
    assert not writers, "the history module only reads"
