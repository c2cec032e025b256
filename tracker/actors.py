"""Actors, their aliases and the parties they speak for."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.access import require
from tracker.csv_io import Place, check_cells, read_csv, split_list
from tracker.errors import NotFoundError, RowProblems, TrackerError
from tracker.models import Actor, ActorAlias, ActorKind, Role
from tracker.text import check_length, name_key, name_order, squash

KINDS = tuple(kind.value for kind in ActorKind)


def find_actor(session: Session, name: str) -> Actor | None:
    """The actor known by ``name`` (canonical name or any alias, any case), if any."""
    key = name_key(name)
    if not key:
        return None
    return session.scalar(
        select(Actor)
        .join(ActorAlias, ActorAlias.actor_id == Actor.id)
        .where(ActorAlias.alias_key == key)
    )


def get_actor(session: Session, name: str) -> Actor:
    """Like :func:`find_actor`, but a name nobody is known by is an error with suggestions."""
    actor = find_actor(session, name)
    if actor is None:
        raise NotFoundError(f"unknown actor {name!r}{_did_you_mean(session, name)}")
    return actor


def _did_you_mean(session: Session, name: str) -> str:
    known = session.scalars(select(ActorAlias.alias)).all()
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def list_actors(session: Session) -> Sequence[Actor]:
    """Every actor, in name order (tracker.text.name_order)."""
    actors = session.scalars(
        select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.party))
    ).all()
    return sorted(actors, key=lambda actor: name_order(actor.name))


def aliases_of(actor: Actor) -> list[str]:
    """The actor's aliases, without its canonical name."""
    own = name_key(actor.name)
    return sorted((a.alias for a in actor.aliases if a.alias_key != own), key=str.casefold)


def _check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise TrackerError(f"unknown actor kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


def _claim_name(session: Session, actor: Actor, alias: str) -> None:
    """Make ``alias`` point at ``actor``, refusing a name another actor already has."""
    alias = check_length(squash(alias), 200, f"the name {alias[:40]!r}…")
    if not alias:
        raise TrackerError("an actor name or alias cannot be blank")
    owner = find_actor(session, alias)
    if owner is not None and owner is not actor:
        raise TrackerError(f"{alias!r} already names actor {owner.name!r}")
    if owner is None:
        actor.aliases.append(ActorAlias(alias=alias, alias_key=name_key(alias)))
        session.flush()


def create_actor(
    session: Session,
    name: str,
    kind: str,
    party: Actor | None = None,
    aliases: Iterable[str] = (),
) -> Actor:
    # Analysts meet new actors while tagging; changing existing ones is the admins' work.
    require(session, Role.ANALYST, "add actors")
    name = check_length(squash(name), 200, "the actor's name")
    if not name:
        raise TrackerError("an actor needs a name")
    with session.no_autoflush:  # a pending actor of the same name would hit the unique name
        owner = find_actor(session, name)
    if owner is not None:
        raise TrackerError(f"{name!r} already names actor {owner.name!r}")
    actor = Actor(name=name, kind=_check_kind(kind), party=party)
    session.add(actor)
    _claim_name(session, actor, name)
    for alias in aliases:
        _claim_name(session, actor, alias)
    return actor


def add_alias(session: Session, actor: Actor, alias: str) -> None:
    require(session, Role.ADMIN, "edit actors")
    _claim_name(session, actor, alias)


def set_party(actor: Actor, party: Actor | None, *, one_level: bool = True) -> None:
    """Link ``actor`` to the side it speaks for, refusing loops (A -> B -> A) and chains
    (A -> B -> C): a party's roll-up counts its direct members, so the minister of a
    ministry that speaks for a state counted for the ministry, not the state."""
    seen = {id(actor)}
    cursor = party
    while cursor is not None:
        if id(cursor) in seen:
            raise TrackerError(f"{actor.name!r} cannot speak for {party.name!r}: that makes a loop")  # type: ignore[union-attr]
        seen.add(id(cursor))
        cursor = cursor.party
    if one_level and party is not None and party is not actor.party:
        _check_one_level(actor, party)
    actor.party = party


def _check_one_level(actor: Actor, party: Actor) -> None:
    """``actor`` may speak for ``party`` only if neither is in the middle of a chain."""
    if party.party is not None:
        raise TrackerError(
            f"{actor.name!r} cannot speak for {party.name!r}, which itself speaks for "
            f"{party.party.name!r}: name {party.party.name!r} as its party"
        )
    members = [m.name for m in actor.members] if actor.id is not None else []
    if members:
        raise TrackerError(
            f"{actor.name!r} cannot speak for {party.name!r}: {', '.join(sorted(members))} "
            f"speak for {actor.name!r}, and a party cannot itself speak for another"
        )


@dataclass
class ActorRow:
    """One line of an actor import: ``name,kind,party,aliases``."""

    name: str
    kind: str
    party: str | None = ""  # None: the file has no party column, the stored party stays
    aliases: list[str] = field(default_factory=list)
    at: Place | None = None  # where the row came from, for error messages


def import_actors(session: Session, rows: Sequence[ActorRow]) -> tuple[int, int]:
    """Create or update actors by name; parties may be defined later in the same file.

    Returns (created, updated): actors whose kind, party or aliases the file changed
    (the others are unchanged). A file without a ``party`` column leaves parties as they
    are. Every row is checked; any problem raises one error listing them all, and the
    caller's transaction is then rolled back, so nothing is half-imported.
    """
    require(session, Role.ADMIN, "import actors")
    problems = RowProblems()
    created = 0
    by_key: dict[str, Actor] = {}
    before: dict[str, tuple[str, int | None, set[str]]] = {}
    for row in rows:  # first pass: every actor exists, so any row can name any party
        with problems.row(row.at):
            aliases = ";".join(row.aliases)
            check_cells(
                {"name": row.name, "kind": row.kind, "party": row.party or "", "aliases": aliases}
            )
            if not row.name.strip():
                raise TrackerError("column 'name' is empty")
            if name_key(row.name) in by_key:
                raise TrackerError(f"actor {row.name!r} appears twice")
            actor = find_actor(session, row.name)
            if actor is None:
                actor = create_actor(session, row.name, row.kind)
                created += 1
            else:
                if name_key(actor.name) != name_key(row.name):
                    raise TrackerError(f"{row.name!r} is already an alias of actor {actor.name!r}")
                before[name_key(row.name)] = _content(actor)
                actor.kind = _check_kind(row.kind)
            by_key[name_key(row.name)] = actor
    for row in rows:
        actor = by_key.get(name_key(row.name))
        if actor is None:  # its first-pass problem is listed
            continue
        with problems.row(row.at):
            if row.party is not None:
                party = get_actor(session, row.party) if row.party.strip() else None
                # Chains are checked on the file's end state below: row by row, a file
                # that flattens one was refused or not depending on its order.
                set_party(actor, party, one_level=False)
            for alias in row.aliases:
                _claim_name(session, actor, alias)
    for row in rows:
        actor = by_key.get(name_key(row.name))
        if actor is not None and actor.party is not None:
            with problems.row(row.at):
                _check_one_level(actor, actor.party)
    problems.raise_any()
    session.flush()
    updated = sum(_content(by_key[key]) != content for key, content in before.items())
    return created, updated


def _content(actor: Actor) -> tuple[str, int | None, set[str]]:
    """What an import may change on an actor."""
    party = actor.party.id if actor.party is not None else None
    return actor.kind, party, {a.alias_key for a in actor.aliases}


def export_actors(session: Session) -> list[dict[str, str]]:
    return [
        {
            "name": actor.name,
            "kind": actor.kind,
            "party": actor.party.name if actor.party else "",
            "aliases": ";".join(aliases_of(actor)),
        }
        for actor in list_actors(session)
    ]


ACTOR_COLUMNS = ("name", "kind", "party", "aliases")


def read_actor_csv(path: str | Path, text: str | None = None) -> list[ActorRow]:
    """Parse an actor CSV (``name,kind,party,aliases``; aliases ``;``-separated)."""
    rows = read_csv(path, required=("name", "kind"), optional=("party", "aliases"), text=text)
    return [
        ActorRow(
            name=row.cells["name"],
            kind=row.cells["kind"],
            party=row.cells.get("party"),
            aliases=split_list(row.cells.get("aliases", "")),
            at=row.at,
        )
        for row in rows
    ]


def update_actor(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    kind: str | None = None,
    party: Actor | None | bool = False,
    aliases: Iterable[str] | None = None,
) -> Actor:
    """Edit an actor. ``party=None`` clears the party; ``False`` leaves it. ``aliases``
    replaces the alias list (the canonical name always stays one of its names)."""
    require(session, Role.ADMIN, "edit actors")
    aliases = list(aliases) if aliases is not None else None
    old_names: set[str] = set()
    if kind is not None:
        actor.kind = _check_kind(kind)
    if party is not False:
        set_party(actor, party if isinstance(party, Actor) else None)
    if name is not None and squash(name) != actor.name:
        new_name = squash(name)
        if not new_name:
            raise TrackerError("an actor needs a name")
        _claim_name(session, actor, new_name)
        # The old name stays among its aliases: older articles still use it.
        old_names.add(name_key(actor.name))
        actor.name = new_name
    if aliases is not None:
        keep = {name_key(actor.name), *old_names} | {name_key(a) for a in aliases if squash(a)}
        for row in list(actor.aliases):
            if row.alias_key not in keep:
                actor.aliases.remove(row)
        session.flush()
        for alias in aliases:
            if squash(alias):
                _claim_name(session, actor, alias)
    session.flush()
    return actor
