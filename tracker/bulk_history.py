"""History events for many new stances at once, written by the database.

An import records a 'create' event per stance, as every other way of adding one does.
Made in Python, each event's snapshot was a dict, then JSON text, then a bound parameter:
a fifth of a large import's time. Here one ``INSERT ... SELECT`` per chunk of stances
builds the same snapshot (:func:`tracker.stances.snapshot`, the keys and values the
history shows and restores from) from the stored rows with the database's own JSON
functions. A test compares the two for every kind of value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    String,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from tracker.models import Actor, Issue, Proposal, Stance, StanceAction, StanceEvent, UTCDateTime
from tracker.sql_hints import any_of, listed_ids


def log_created(session: Session, ids: list[int], at: dt.datetime) -> None:
    """One 'create' event, made ``at``, for each of these stored stances (by the stance's
    own annotator), its ``after`` the stance as :func:`tracker.stances.snapshot` gives it."""
    if not ids:
        return
    sqlite = session.get_bind().dialect.name == "sqlite"
    reporter = aliased(Actor)
    pairs: list[tuple[str, Any]] = [
        ("stance_id", Stance.id),
        ("actor", Actor.name),
        ("issue", Issue.slug),
        ("actor_id", Stance.actor_id),
        ("issue_id", Stance.issue_id),
        ("source_id", Stance.source_id),
        ("stated_on", Stance.stated_on if sqlite else func.to_char(Stance.stated_on, "YYYY-MM-DD")),
        ("position", Stance.position),
        ("confidence", _exact(Stance.confidence) if sqlite else Stance.confidence),
        ("quote", Stance.quote),
        ("quote_start", Stance.quote_start),
        ("quote_end", Stance.quote_end),
        ("status", Stance.status),
        ("origin", Stance.origin),
        ("annotator", Stance.annotator),
        ("note", Stance.note),
        ("attribution", Stance.attribution),
        ("reported_by", reporter.name),
        ("reported_by_id", Stance.reported_by_id),
        # SQLite stores booleans as 0/1: json() makes the text true/false JSON, not a string.
        (
            "conditional",
            func.json(case((Stance.conditional, "true"), else_="false"))
            if sqlite
            else Stance.conditional,
        ),
        ("condition", Stance.condition),
        ("proposal", Proposal.name),
        ("proposal_id", Stance.proposal_id),
        ("version", Stance.version),
    ]
    arguments = [part for key, value in pairs for part in (literal(key), value)]
    after = func.json_object(*arguments) if sqlite else func.json_build_object(*arguments)
    rows = (
        select(
            Stance.id,
            literal(StanceAction.CREATE.value),
            Stance.annotator,
            bindparam("at", at, type_=UTCDateTime),
            bindparam("before", None, type_=JSON),  # JSON null, as the ORM stores None
            after,
        )
        .join(Actor, Actor.id == Stance.actor_id)
        .join(Issue, Issue.id == Stance.issue_id)
        .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        .outerjoin(Proposal, Proposal.id == Stance.proposal_id)
        .where(_listed(Stance.id, ids, sqlite=sqlite))
        .order_by(Stance.id)
    )
    columns = ["stance_id", "action", "annotator", "at", "before", "after"]
    session.execute(insert(StanceEvent).from_select(columns, rows))


def _exact(value: InstrumentedAttribute[float]) -> ColumnElement[Any]:
    """A float as JSON that reads back as the same float. SQLite's JSON writes 15
    significant digits (1/3 would come back as 0.333333333333333); its text is kept
    when it is exact, else 17 digits are, which always are."""
    shown = cast(value, String)
    exact = case((cast(shown, Float) == value, shown), else_=func.printf("%!.17g", value))
    return func.json(exact)


def _listed(
    column: InstrumentedAttribute[int], ids: list[int], *, sqlite: bool
) -> ColumnElement[bool]:
    """``column IN ids`` with the ids bound as one parameter (tracker.sql_hints)."""
    if sqlite:
        return column.in_(select(listed_ids(ids).c.value))
    return column == any_of(ids)
