"""The stance history as people read it: who changed what, when, per stance or analyst.

Read only: the history (``stance_event``) is written by the stance services alone, one
row per change, and no function here or anywhere in the tracker changes or deletes a
row (the model refuses it, see tracker.models).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.blinding import visible
from tracker.csv_io import write_csv
from tracker.models import Actor, Issue, Stance, StanceEvent

FIELDS = (
    "position",
    "stated_on",
    "confidence",
    "quote",
    "status",
    "note",
    "actor_id",
    "issue_id",
    "origin",
)


@dataclass(frozen=True)
class HistoryFilter:
    stance_id: int | None = None
    annotator: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def history(
    session: Session, flt: HistoryFilter, *, limit: int = 200, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, with a readable list of what changed; and the total."""
    conditions = _conditions(session, flt)
    total = session.scalar(select(func.count()).select_from(StanceEvent).where(*conditions))
    events = session.scalars(
        select(StanceEvent)
        .where(*conditions)
        .order_by(StanceEvent.at.desc(), StanceEvent.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    names = _names(session, events)
    return [_describe(e, names) for e in events], int(total or 0)


AUDIT_COLUMNS = (
    "event_id",
    "at",
    "annotator",
    "action",
    "stance_id",
    "actor",
    "issue",
    "position",
    "changes",
    "before",
    "after",
)


def audit_trail(
    session: Session, flt: HistoryFilter, *, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every event the filter selects, oldest first, with the full before and after as JSON:
    the audit trail as an auditor reads it. Read in batches, so memory stays flat."""
    last_id = 0
    while True:
        events = session.scalars(
            select(StanceEvent)
            .where(*_conditions(session, flt), StanceEvent.id > last_id)
            .order_by(StanceEvent.id)
            .limit(batch)
        ).all()
        if not events:
            return
        names = _names(session, events)
        for event in events:
            row = _describe(event, names)
            row["at"] = event.at.isoformat(timespec="seconds")
            row["before"] = _json(event.before)
            row["after"] = _json(event.after)
            yield row
        last_id = events[-1].id


def audit_csv(session: Session, flt: HistoryFilter) -> bytes:
    """The audit trail as spreadsheet-safe CSV (UTF-8 with a BOM, formula cells escaped)."""
    out = io.StringIO()
    write_csv(out, AUDIT_COLUMNS, audit_trail(session, flt))
    return out.getvalue().encode("utf-8-sig")


def _json(state: dict[str, Any] | None) -> str:
    return "" if state is None else json.dumps(state, ensure_ascii=False, sort_keys=True)


def _conditions(session: Session, flt: HistoryFilter) -> list[Any]:
    conditions: list[Any] = []
    seen = visible(session)
    if seen is not None:  # double coding: not the events of stances hidden from this reader
        conditions.append(StanceEvent.stance_id.not_in(select(Stance.id).where(~seen)))
    if flt.stance_id is not None:
        conditions.append(StanceEvent.stance_id == flt.stance_id)
    if flt.annotator:
        conditions.append(StanceEvent.annotator == flt.annotator)
    if flt.action:
        conditions.append(StanceEvent.action == flt.action)
    if flt.since:
        conditions.append(StanceEvent.at >= dt.datetime.combine(flt.since, dt.time(), dt.UTC))
    if flt.until:
        end = dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        conditions.append(StanceEvent.at < end)
    return conditions


def annotators(session: Session) -> list[str]:
    """Who changed the stances this reader may see (the History page's list of analysts):
    not who is coding a source in double coding, which that list would give away."""
    return list(
        session.scalars(
            select(StanceEvent.annotator)
            .where(*_conditions(session, HistoryFilter()))
            .distinct()
            .order_by(StanceEvent.annotator)
        )
    )


def _names(session: Session, events: Any) -> dict[tuple[str, int], str]:
    actor_ids, issue_ids = set(), set()
    for event in events:
        for state in (event.before, event.after):
            if state:
                actor_ids.add(state.get("actor_id"))
                issue_ids.add(state.get("issue_id"))
    names: dict[tuple[str, int], str] = {}
    for actor_id, name in session.execute(
        select(Actor.id, Actor.name).where(Actor.id.in_(actor_ids - {None}))
    ):
        names[("actor", actor_id)] = name
    for issue_id, slug in session.execute(
        select(Issue.id, Issue.slug).where(Issue.id.in_(issue_ids - {None}))
    ):
        names[("issue", issue_id)] = slug
    return names


def _describe(event: StanceEvent, names: dict[tuple[str, int], str]) -> dict[str, Any]:
    state = event.after or event.before or {}
    changes = []
    if event.before and event.after:
        for key in FIELDS:
            old, new = event.before.get(key), event.after.get(key)
            if old != new:
                was = _value(key, old, names, event.before)
                now = _value(key, new, names, event.after)
                changes.append(f"{_field(key)}: {was} → {now}")
    return {
        "event_id": event.id,
        "at": event.at,
        "annotator": event.annotator,
        "action": event.action,
        "stance_id": event.stance_id,
        "actor": state.get("actor") or names.get(("actor", state.get("actor_id", -1)), ""),
        "issue": state.get("issue") or names.get(("issue", state.get("issue_id", -1)), ""),
        "position": state.get("position"),
        "changes": "; ".join(changes),
    }


def _field(key: str) -> str:
    return key.removesuffix("_id").replace("_", " ")


def _value(key: str, value: Any, names: dict[tuple[str, int], str], state: dict[str, Any]) -> str:
    if key in ("actor_id", "issue_id"):
        kind = key.removesuffix("_id")
        return str(state.get(kind) or names.get((kind, value), value))
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "…")
    return repr(value) if isinstance(value, str) else str(value)
