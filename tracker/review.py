"""The review queue: suggested stances waiting for an analyst, oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracker.blinding import visible_conditions
from tracker.corroboration import corroboration
from tracker.evidence import evidence_fields
from tracker.models import Actor, Issue, Source, Stance, StanceStatus

CONTEXT_CHARS = 300


def queue_size(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Stance)
            .where(Stance.status == StanceStatus.SUGGESTED.value, *visible_conditions(session))
        )
        or 0
    )


def next_suggestions(session: Session, *, limit: int = 1, offset: int = 0) -> list[dict[str, Any]]:
    """Suggested stances in the order they came in, each with its quote in context."""
    reporter = aliased(Actor)
    rows = session.execute(
        select(Stance, Actor.name, Issue, Source.title, Source.text, reporter.name, corroboration())
        .join(Actor, Actor.id == Stance.actor_id)
        .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        .join(Issue, Issue.id == Stance.issue_id)
        .join(Source, Source.id == Stance.source_id)
        .where(Stance.status == StanceStatus.SUGGESTED.value, *visible_conditions(session))
        .order_by(Stance.created_at, Stance.id)
        .limit(limit)
        .offset(offset)
    ).all()
    result = []
    for stance, actor, issue, title, text, reported_by, corroborated in rows:
        start, end = stance.quote_start, stance.quote_end
        result.append(
            {
                "stance_id": stance.id,
                "version": stance.version,
                "actor": actor,
                "issue": issue.slug,
                "issue_name": issue.name,
                "labels": issue.labels(),
                "position": stance.position,
                "stated_on": stance.stated_on,
                "confidence": stance.confidence,
                "note": stance.note,
                "origin": stance.origin,
                "annotator": stance.annotator,
                "source_title": title,
                "quote": stance.quote,
                "before": text[max(0, start - CONTEXT_CHARS) : start],
                "after": text[end : end + CONTEXT_CHARS],
                **evidence_fields(stance, reported_by, int(corroborated)),
            }
        )
    return result


def missed_click(session: Session, stance_id: int, verb: str) -> str:
    """Why a reviewer's accept or reject of ``stance_id`` could not apply: the suggestion
    left the place in the queue the page showed it at before the click arrived."""
    stance = session.get(Stance, stance_id)
    if stance is None:
        fate = "was deleted meanwhile"
    elif stance.status == StanceStatus.SUGGESTED.value:  # an earlier one was handled
        fate = "moved in the queue (a colleague handled one before it)"
    else:
        fate = f"was already {stance.status} by {stance.annotator or 'someone'}"
    return (
        f"Suggestion #{stance_id} {fate}: your {verb} was not applied, and nothing was "
        "changed. Check the suggestion shown now before you click."
    )
