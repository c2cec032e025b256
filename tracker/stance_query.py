"""Reading stances as flat records, filtered in the database.

One query serves the CLI list, the JSON output, the CSV export and the dashboard
table, so every view applies the same filters and shows the same columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from tracker.actors import get_actor
from tracker.blinding import visible_conditions
from tracker.corroboration import corroboration
from tracker.errors import TrackerError
from tracker.issues import get_issue
from tracker.models import Actor, Issue, Proposal, Source, Stance, StanceStatus
from tracker.sql_hints import status_in

STATUSES = tuple(s.value for s in StanceStatus)

# The documented CSV columns, in their order (docs/csv.md).
COLUMNS = (
    "stance_id",
    "actor",
    "party",
    "issue",
    "stated_on",
    "position",
    "position_label",
    "confidence",
    "status",
    "origin",
    "quote",
    "quote_start",
    "quote_end",
    "source_id",
    "source_title",
    "source_outlet",
    "source_url",
    "published_on",
    "duplicate_of",
    "annotator",
    "note",
    "created_at",
    "updated_at",
    # Evidence (appended, so files written before keep their column positions).
    "attribution",
    "reported_by",
    "conditional",
    "condition",
    "corroboration",
    "proposal",
)


@dataclass
class StanceFilter:
    """What a list, export or chart is restricted to. Names go through alias matching."""

    actor: str | None = None
    party: str | None = None
    issue: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    # Narrower views (the dashboard's filters): any of these statuses, at least this
    # confidence, only these attributions (None: every stance, unrecorded ones too).
    statuses: Sequence[str] | None = None
    min_confidence: float | None = None
    attributions: Sequence[str] | None = None


def filter_conditions(session: Session, flt: StanceFilter) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions on ``stance``; unknown names are errors. Stances the
    session's principal may not see (double coding) are left out whatever the filter."""
    conditions: list[ColumnElement[bool]] = visible_conditions(session)
    if flt.actor:
        conditions.append(Stance.actor_id == get_actor(session, flt.actor).id)
    if flt.party:
        party = get_actor(session, flt.party)
        members = select(Actor.id).where(or_(Actor.id == party.id, Actor.party_id == party.id))
        conditions.append(Stance.actor_id.in_(members))
    if flt.issue:
        conditions.append(Stance.issue_id == get_issue(session, flt.issue).id)
    if flt.status:
        if flt.status not in STATUSES:
            raise TrackerError(
                f"unknown status {flt.status!r}; expected one of {', '.join(STATUSES)}"
            )
        conditions.append(status_in([flt.status]))
    if flt.statuses is not None:
        unknown = sorted(set(flt.statuses) - set(STATUSES))
        if unknown:
            raise TrackerError(
                f"unknown status {unknown[0]!r}; expected one of {', '.join(STATUSES)}"
            )
        conditions.append(status_in(flt.statuses))
    if flt.min_confidence is not None:
        conditions.append(Stance.confidence >= flt.min_confidence)
    if flt.attributions is not None:
        conditions.append(Stance.attribution.in_(list(flt.attributions)))
    if flt.since and flt.until and flt.since > flt.until:
        raise TrackerError(f"--since {flt.since} is after --until {flt.until}")
    if flt.since:
        conditions.append(Stance.stated_on >= flt.since)
    if flt.until:
        conditions.append(Stance.stated_on <= flt.until)
    return conditions


def records_query(
    session: Session, flt: StanceFilter, *, with_corroboration: bool = True
) -> Select[Any]:
    """Every column of :data:`COLUMNS` (plus ``version``), joined and labelled in SQL.
    ``with_corroboration=False`` leaves out its correlated subquery per row, for readers
    that count corroboration for all their rows at once (the export, the report)."""
    party = aliased(Actor)
    reporter = aliased(Actor)
    label = case(
        (Stance.position == -2, Issue.label_neg2),
        (Stance.position == -1, Issue.label_neg1),
        (Stance.position == 0, Issue.label_zero),
        (Stance.position == 1, Issue.label_pos1),
        else_=Issue.label_pos2,
    )
    return (
        select(
            Stance.id.label("stance_id"),
            Actor.name.label("actor"),
            func.coalesce(party.name, Actor.name).label("party"),
            Issue.slug.label("issue"),
            Stance.stated_on,
            Stance.position,
            label.label("position_label"),
            Stance.confidence,
            Stance.status,
            Stance.origin,
            Stance.quote,
            Stance.quote_start,
            Stance.quote_end,
            Stance.source_id,
            Source.title.label("source_title"),
            Source.outlet.label("source_outlet"),
            Source.url.label("source_url"),
            Source.published_on,
            Source.duplicate_of,
            Stance.annotator,
            Stance.note,
            Stance.created_at,
            Stance.updated_at,
            Stance.attribution,
            reporter.name.label("reported_by"),
            Stance.conditional,
            Stance.condition,
            *([corroboration().label("corroboration")] if with_corroboration else []),
            Proposal.name.label("proposal"),
            Stance.version,
        )
        .join(Actor, Actor.id == Stance.actor_id)
        .outerjoin(party, party.id == Actor.party_id)
        .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        .outerjoin(Proposal, Proposal.id == Stance.proposal_id)
        .join(Issue, Issue.id == Stance.issue_id)
        .join(Source, Source.id == Stance.source_id)
        .where(*filter_conditions(session, flt))
        .order_by(Stance.stated_on, Stance.id)
    )


def _plain(row: Any) -> dict[str, Any]:
    record = dict(row._mapping)
    for key in ("stated_on", "published_on", "created_at", "updated_at"):
        value = record[key]
        record[key] = value.isoformat() if value is not None else None
    record["conditional"] = bool(record["conditional"])
    return record


def stance_records(
    session: Session, flt: StanceFilter, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of stances as flat records (dates as ISO text), oldest first."""
    query = records_query(session, flt).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_plain(row) for row in session.execute(query)]
