"""Merging two actors that turned out to be one (a new spelling, a duplicate entry)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.access import require
from tracker.blinding import is_open
from tracker.errors import TrackerError
from tracker.models import (
    Actor,
    ActorAlias,
    Attribution,
    Mention,
    Proposal,
    Role,
    Stance,
    StanceAction,
)
from tracker.position_days import refresh_actors
from tracker.stances import check_annotator, log_event, snapshot


def merge_actors(session: Session, keep: Actor, drop: Actor, *, annotator: str) -> int:
    """Move everything of ``drop`` to ``keep`` and delete ``drop``.

    Its names become aliases of ``keep``, its stances, mentions and members move over
    (each moved stance gets an 'update' event). A stance that would repeat one ``keep``
    already has for the same issue and passage (on a source in double coding: of the same
    coder) is deleted, with a 'delete' event.
    Returns the number of stances moved.
    """
    require(session, Role.REVIEWER, "merge actors")
    annotator = check_annotator(annotator, session)
    if keep.id == drop.id:
        raise TrackerError("choose two different actors to merge")
    if keep.party_id == drop.id:
        keep.party = drop.party
    _move_reports(session, keep, drop, annotator)
    moved = 0
    for stance in session.scalars(select(Stance).where(Stance.actor_id == drop.id)).all():
        before = snapshot(stance)
        same_passage = [
            Stance.actor_id == keep.id,
            Stance.issue_id == stance.issue_id,
            Stance.source_id == stance.source_id,
            Stance.quote_start == stance.quote_start,
            Stance.quote_end == stance.quote_end,
        ]
        if is_open(session, stance.source_id):  # double coding: each coder's stance is kept
            same_passage.append(Stance.coder == stance.coder)
        repeat = session.scalar(select(Stance.id).where(*same_passage).limit(1))
        if repeat is not None:
            session.delete(stance)
            session.flush()
            log_event(session, before["stance_id"], StanceAction.DELETE, annotator, before, None)
            continue
        stance.actor = keep
        if stance.reported_by_id == keep.id:
            _not_reported(stance)
        session.flush()
        log_event(session, stance.id, StanceAction.UPDATE, annotator, before, snapshot(stance))
        moved += 1
    session.execute(update(Mention).where(Mention.actor_id == drop.id).values(actor_id=keep.id))
    session.execute(update(Proposal).where(Proposal.author_id == drop.id).values(author_id=keep.id))
    session.execute(update(Actor).where(Actor.party_id == drop.id).values(party_id=keep.id))
    session.execute(
        update(ActorAlias).where(ActorAlias.actor_id == drop.id).values(actor_id=keep.id)
    )
    # Reload both: the moves above bypassed the ORM, and deleting `drop` with stale
    # collections would cascade to the aliases that now belong to `keep`.
    session.expire(keep)
    session.expire(drop)
    session.delete(drop)
    session.flush()  # the database drops `drop`'s stored days with it
    refresh_actors(session, [keep.id])
    return moved


def _move_reports(session: Session, keep: Actor, drop: Actor, annotator: str) -> None:
    """Stances ``drop`` reported are now reported by ``keep``; one that would be reported
    by its own actor becomes a paraphrase (the actor's position, described)."""
    for stance in session.scalars(select(Stance).where(Stance.reported_by_id == drop.id)).all():
        before = snapshot(stance)
        if stance.actor_id in (keep.id, drop.id):
            _not_reported(stance)
        else:
            stance.reported_by = keep
        session.flush()
        log_event(session, stance.id, StanceAction.UPDATE, annotator, before, snapshot(stance))


def _not_reported(stance: Stance) -> None:
    stance.attribution = Attribution.PARAPHRASE.value
    stance.reported_by = None
