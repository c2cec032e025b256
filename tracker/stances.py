"""Stances: record, correct, accept, reject and delete them, with every change in the history.

Every write goes through this module, so the CLI, the dashboard and the importers
apply the same rules: the quote must be found in the source text at the stored
offsets, positions stay on the -2..+2 scale, and a stale edit is refused.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from tracker.access import annotator as acting_name
from tracker.access import principal_of, require, same_person
from tracker.blinding import is_open
from tracker.dates import plausible_day
from tracker.errors import ConflictError, NotFoundError, PermissionDenied, TrackerError
from tracker.models import (
    POSITION_MAX,
    POSITION_MIN,
    Actor,
    Attribution,
    Issue,
    Proposal,
    Role,
    Source,
    Stance,
    StanceAction,
    StanceEvent,
    StanceOrigin,
    StanceStatus,
    utcnow,
)
from tracker.position_days import day_key, refresh_days
from tracker.quote_diff import where_it_differs
from tracker.stance_query import STATUSES, StanceFilter, filter_conditions
from tracker.text import check_length, name_key, shorten, signed

ORIGINS = tuple(o.value for o in StanceOrigin)
ATTRIBUTIONS = tuple(a.value for a in Attribution)
CONDITION_LIMIT = 1000


def check_stated_on(day: dt.date) -> dt.date:
    """The day a position was stated: from 1900 to tomorrow (see tracker.dates)."""
    return plausible_day(day, "the day the position was stated")


def check_position(position: Any) -> int:
    if isinstance(position, bool) or not isinstance(position, int):
        try:
            if isinstance(position, str) and not position.isascii():
                raise ValueError  # float() reads other scripts' digits: "١" would be 1
            as_float = float(position)
        except (TypeError, ValueError):
            raise TrackerError(f"position {position!r} is not a number from -2 to 2") from None
        if not as_float.is_integer():
            raise TrackerError(f"position {position!r} must be a whole number from -2 to 2")
        position = int(as_float)
    if not POSITION_MIN <= position <= POSITION_MAX:
        raise TrackerError(f"position {position} is outside the scale -2..2")
    return int(position)


def check_confidence(confidence: Any) -> float:
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise TrackerError(f"confidence {confidence!r} is not a number from 0 to 1") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise TrackerError(f"confidence {confidence!r} is outside 0..1")
    return value


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise TrackerError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def check_attribution(
    attribution: str | None, reported_by_id: int | None, actor_id: int | None
) -> str | None:
    """How the position reached us; the reporting actor is named exactly when another
    actor reported it. None (or empty) means not recorded."""
    if not attribution:
        if reported_by_id is not None:
            raise TrackerError(
                "a reporting actor is named only when the attribution is reported_by_other"
            )
        return None
    if attribution not in ATTRIBUTIONS:
        raise TrackerError(
            f"unknown attribution {attribution!r}; expected one of {', '.join(ATTRIBUTIONS)}"
        )
    if attribution == Attribution.REPORTED_BY_OTHER:
        if reported_by_id is None:
            raise TrackerError("attribution reported_by_other needs the actor who reported it")
        if reported_by_id == actor_id:
            raise TrackerError(
                "an actor reporting its own position is on_record or paraphrase, "
                "not reported_by_other"
            )
    elif reported_by_id is not None:
        raise TrackerError(
            f"a reporting actor is named only when the attribution is reported_by_other, "
            f"not {attribution}"
        )
    return attribution


def check_condition(conditional: bool, condition: str) -> tuple[bool, str]:
    """A conditional stance states its condition; an unconditional one has none."""
    condition = condition.strip()
    if conditional and not condition:
        raise TrackerError("a conditional stance needs its condition (e.g. 'ceasefire first')")
    if condition and not conditional:
        raise TrackerError("a condition was given but the stance is not marked conditional")
    return bool(conditional), check_length(condition, CONDITION_LIMIT, "the condition")


def check_annotator(annotator: str, session: Session | None = None) -> str:
    """The name recorded with a change; a signed-in account's own name when a session is
    given, whatever name the caller passed."""
    if session is not None:
        annotator = acting_name(session, annotator)
    annotator = annotator.strip()
    if not annotator:
        raise TrackerError("every change needs the analyst's name")
    return check_length(annotator, 200, "the analyst's name")


class QuotedText(Protocol):
    """Anything with a source's id, title and text: a Source row, or a cached copy."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...


def locate_quote(
    source: QuotedText, quote: str, start: int | None = None, *, explain: bool = True
) -> tuple[int, int]:
    """Offsets of ``quote`` in the source text; never trust offsets a user typed.

    With ``start`` given, the text must hold the quote exactly there. Without it
    the first occurrence is used. A quote the text does not hold is refused with where
    it parts from the text (tracker.quote_diff), unless not ``explain`` (a search of a
    quarter of a millisecond in a long text: an import explains its first mismatches)."""
    if not quote or not quote.strip():
        raise TrackerError("the quote is empty")
    text = source.text
    if start is not None:
        if start < 0 or start > len(text) or text[start : start + len(quote)] != quote:
            found = text.find(quote)
            elsewhere = (
                f"; the text has it at offset {found}"
                if found >= 0
                else f"; {_difference(text, quote)}"
                if explain
                else ""
            )
            raise TrackerError(
                f"the quote does not match source {source.id} at offset {start}: "
                f"{shorten(quote, 60)!r}{elsewhere}"
            )
        return start, start + len(quote)
    found = text.find(quote)
    if found < 0:
        raise TrackerError(
            f"the quote is not in the text of source {source.id} "
            f"({shorten(source.title or 'untitled', 50)!r}): {shorten(quote, 60)!r}"
            + (f"; {_difference(text, quote)}" if explain else "")
        )
    return found, found + len(quote)


def _difference(text: str, quote: str) -> str:
    # Compared in the text's Unicode form: a quote whose accents are written as combining
    # marks matched only up to the first one, then "differed" in letters that look alike.
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, text):
            quote = unicodedata.normalize(form, quote)
            break
    return where_it_differs(text, quote) or "no part of it is in that text: is it the right source?"


def snapshot(stance: Stance) -> dict[str, Any]:
    """What the history keeps of a stance: enough to show and to restore it."""
    return {
        "stance_id": stance.id,
        # Names too: the history must stay readable after an actor is merged or deleted.
        "actor": stance.actor.name if stance.actor else None,
        "issue": stance.issue.slug if stance.issue else None,
        "actor_id": stance.actor_id,
        "issue_id": stance.issue_id,
        "source_id": stance.source_id,
        "stated_on": stance.stated_on.isoformat(),
        "position": stance.position,
        "confidence": stance.confidence,
        "quote": stance.quote,
        "quote_start": stance.quote_start,
        "quote_end": stance.quote_end,
        "status": stance.status,
        "origin": stance.origin,
        "annotator": stance.annotator,
        "note": stance.note,
        "attribution": stance.attribution,
        "reported_by": stance.reported_by.name if stance.reported_by else None,
        "reported_by_id": stance.reported_by_id,
        "conditional": stance.conditional,
        "condition": stance.condition,
        "proposal": stance.proposal.name if stance.proposal else None,
        "proposal_id": stance.proposal_id,
        "version": stance.version,
    }


def log_event(
    session: Session,
    stance_id: int,
    action: StanceAction,
    annotator: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        StanceEvent(
            stance_id=stance_id,
            action=action.value,
            annotator=annotator,
            at=utcnow(),
            before=before,
            after=after,
        )
    )


def record_stance(
    session: Session,
    *,
    actor: Actor,
    issue: Issue,
    source: Source,
    position: int,
    quote: str,
    annotator: str,
    stated_on: dt.date | None = None,
    quote_start: int | None = None,
    confidence: float = 1.0,
    status: str = StanceStatus.ACCEPTED.value,
    origin: str = StanceOrigin.ANALYST.value,
    note: str = "",
    attribution: str | None = None,
    reported_by: Actor | None = None,
    conditional: bool = False,
    condition: str = "",
    proposal: Proposal | None = None,
) -> Stance:
    """Save a new stance and its 'create' event."""
    require(session, Role.ANALYST, "record stances")
    annotator = check_annotator(annotator, session)
    start, end = locate_quote(source, quote, quote_start)
    stated_on = stated_on or source.published_on
    if stated_on is None:
        raise TrackerError(
            f"source {source.id} has no publication date; give the date the position was stated"
        )
    check_stated_on(stated_on)
    if origin not in ORIGINS:
        raise TrackerError(f"unknown origin {origin!r}; expected one of {', '.join(ORIGINS)}")
    attribution = check_attribution(attribution, reported_by.id if reported_by else None, actor.id)
    conditional, condition = check_condition(conditional, condition)
    coder = coder_of(annotator, origin)
    _check_passage_free(session, actor.id, issue.id, source.id, start, end, coder)
    stance = Stance(
        actor=actor,
        issue=issue,
        source=source,
        stated_on=stated_on,
        position=check_position(position),
        confidence=check_confidence(confidence),
        quote=quote,
        quote_start=start,
        quote_end=end,
        status=check_status(status),
        origin=origin,
        annotator=annotator,
        coder=coder,
        note=note.strip(),
        attribution=attribution,
        reported_by=reported_by,
        conditional=conditional,
        condition=condition,
        proposal=proposal,
    )
    session.add(stance)
    session.flush()
    log_event(session, stance.id, StanceAction.CREATE, stance.annotator, None, snapshot(stance))
    refresh_days(session, [day_key(stance)])
    return stance


def coder_of(annotator: str, origin: str) -> str:
    """The coder recorded with a new stance: who recorded it; nobody for a suggestion."""
    return "" if origin == StanceOrigin.SUGGESTION.value else name_key(annotator)


def _check_passage_free(
    session: Session,
    actor_id: int,
    issue_id: int,
    source_id: int,
    start: int,
    end: int,
    coder: str,
    exclude: int | None = None,
) -> None:
    """One stance per actor, issue and passage; on a source in double coding, one per
    coder (each analyst codes it on their own and must not learn of the others' stances).
    The database enforces one per coder."""
    conditions = [
        Stance.actor_id == actor_id,
        Stance.issue_id == issue_id,
        Stance.source_id == source_id,
        Stance.quote_start == start,
        Stance.quote_end == end,
        Stance.id != (exclude or -1),
    ]
    if is_open(session, source_id):
        conditions.append(Stance.coder == coder)
    existing = session.scalar(select(Stance.id).where(*conditions).limit(1))
    if existing is not None:
        raise TrackerError(
            f"stance #{existing} already records this actor's position on this issue from "
            "the same passage; edit that one instead"
        )


def recorded_by(session: Session, stance_id: int) -> str | None:
    """Who recorded the stance: the name on its 'create' event in the history."""
    return session.scalar(
        select(StanceEvent.annotator)
        .where(StanceEvent.stance_id == stance_id, StanceEvent.action == StanceAction.CREATE)
        .order_by(StanceEvent.id)
        .limit(1)
    )


def recorded_by_each(session: Session, stance_ids: Sequence[int]) -> dict[int, str]:
    """:func:`recorded_by` for several stances at once."""
    rows = session.execute(
        select(StanceEvent.stance_id, StanceEvent.annotator)
        .where(StanceEvent.stance_id.in_(stance_ids), StanceEvent.action == StanceAction.CREATE)
        .order_by(StanceEvent.id.desc())
    )
    return dict(rows.tuples().all())  # the first 'create' wins: it comes last


def may_change(session: Session, stance_id: int, creator: str | None) -> bool:
    """Whether the session's principal may edit or delete a stance ``creator`` recorded."""
    principal = principal_of(session)
    return principal.may(Role.REVIEWER) or (
        principal.may(Role.ANALYST) and same_person(principal, creator)
    )


def check_may_change(session: Session, stance: Stance, doing: str) -> None:
    """Reviewers change any stance; analysts only the stances they recorded."""
    principal = principal_of(session)
    if principal.may(Role.REVIEWER):
        return
    require(session, Role.ANALYST, doing)
    creator = recorded_by(session, stance.id)
    if not same_person(principal, creator):
        raise PermissionDenied(
            f"analysts can {doing} only the stances they recorded; stance #{stance.id} was "
            f"recorded by {creator or 'someone else'} (a reviewer can change it); "
            "nothing was saved"
        )


def get_stance(session: Session, stance_id: int) -> Stance:
    stance = session.get(Stance, stance_id)
    if stance is None:
        raise NotFoundError(f"no stance with id {stance_id}")
    return stance


def _check_version(stance: Stance, expected_version: int) -> None:
    if stance.version != expected_version:
        raise ConflictError(
            f"stance {stance.id} was changed by {stance.annotator or 'someone'} at "
            f"{stance.updated_at:%Y-%m-%d %H:%M} UTC (now version {stance.version}: position "
            f"{signed(stance.position)}, {stance.issue.label(stance.position)!r}; you loaded "
            f"version {expected_version}); reload it and apply your change again",
            current=snapshot(stance),
        )


def _flush_or_conflict(session: Session, stance: Stance) -> None:
    try:
        session.flush()
    except StaleDataError:
        # Someone committed between our read and our write: version_id_col caught it.
        raise ConflictError(
            f"stance {stance.id} was changed by someone else while you edited it; "
            "reload it and apply your change again"
        ) from None


@dataclass
class StanceChanges:
    """Fields an analyst may correct; None means 'leave as it is'."""

    actor: Actor | None = None
    issue: Issue | None = None
    position: int | None = None
    stated_on: dt.date | None = None
    confidence: float | None = None
    quote: str | None = None
    quote_start: int | None = None
    note: str | None = None
    # Giving an attribution replaces the reporting actor too (None for all but
    # reported_by_other); ``reported_by`` alone changes only the reporter.
    attribution: str | None = None
    reported_by: Actor | None = None
    # Giving the flag replaces the condition (empty when it is False).
    conditional: bool | None = None
    condition: str | None = None
    proposal: Proposal | None = None  # link to this proposal
    unlink_proposal: bool = False  # or remove the link


def _evidence(stance: Stance, changes: StanceChanges, actor: Actor) -> tuple[Any, ...]:
    """The attribution, reporter, flag and condition an edit leaves, checked."""
    attribution, reporter = stance.attribution, stance.reported_by
    if changes.attribution is not None:
        attribution, reporter = changes.attribution or None, changes.reported_by
    elif changes.reported_by is not None:
        reporter = changes.reported_by
    attribution = check_attribution(attribution, reporter.id if reporter else None, actor.id)
    conditional, condition = stance.conditional, stance.condition
    if changes.conditional is not None:
        conditional = changes.conditional
        kept = stance.condition if changes.condition is None else changes.condition
        condition = kept if conditional else ""
    elif changes.condition is not None:
        condition = changes.condition
    return (attribution, reporter, *check_condition(conditional, condition or ""))


def update_stance(
    session: Session,
    stance_id: int,
    changes: StanceChanges,
    *,
    annotator: str,
    expected_version: int,
) -> Stance:
    require(session, Role.ANALYST, "edit stances")
    annotator = check_annotator(annotator, session)
    stance = get_stance(session, stance_id)
    check_may_change(session, stance, "edit")
    _check_version(stance, expected_version)
    before = snapshot(stance)
    old_day = day_key(stance)
    # Validate everything first: a refused edit must leave the loaded stance untouched.
    actor = changes.actor or stance.actor
    issue = changes.issue or stance.issue
    position = stance.position if changes.position is None else check_position(changes.position)
    if changes.stated_on is not None:
        check_stated_on(changes.stated_on)
    confidence = (
        stance.confidence if changes.confidence is None else check_confidence(changes.confidence)
    )
    quote, start, end = stance.quote, stance.quote_start, stance.quote_end
    if changes.quote is not None:
        quote = changes.quote
        start, end = locate_quote(stance.source, quote, changes.quote_start)
    with session.no_autoflush:
        _check_passage_free(
            session, actor.id, issue.id, stance.source_id, start, end, stance.coder, stance.id
        )
        attribution, reporter, conditional, condition = _evidence(stance, changes, actor)
    stance.actor, stance.issue = actor, issue
    stance.attribution, stance.reported_by = attribution, reporter
    stance.conditional, stance.condition = conditional, condition
    if changes.unlink_proposal:
        stance.proposal = None
    elif changes.proposal is not None:
        stance.proposal = changes.proposal
    stance.position, stance.confidence = position, confidence
    stance.quote, stance.quote_start, stance.quote_end = quote, start, end
    if changes.stated_on is not None:
        stance.stated_on = changes.stated_on
    if changes.note is not None:
        stance.note = changes.note.strip()
    stance.annotator = annotator
    _flush_or_conflict(session, stance)
    after = snapshot(stance)
    if {k: v for k, v in after.items() if k != "version"} != {
        k: v for k, v in before.items() if k != "version"
    }:
        log_event(session, stance.id, StanceAction.UPDATE, annotator, before, after)
    refresh_days(session, [old_day, day_key(stance)])
    return stance


def review_stance(
    session: Session, stance_id: int, *, accept: bool, annotator: str, expected_version: int
) -> Stance:
    """Accept or reject a (usually suggested) stance."""
    require(session, Role.REVIEWER, "accept or reject stances")
    annotator = check_annotator(annotator, session)
    stance = get_stance(session, stance_id)
    _check_version(stance, expected_version)
    before = snapshot(stance)
    stance.status = (StanceStatus.ACCEPTED if accept else StanceStatus.REJECTED).value
    stance.annotator = annotator
    _flush_or_conflict(session, stance)
    action = StanceAction.ACCEPT if accept else StanceAction.REJECT
    log_event(session, stance.id, action, annotator, before, snapshot(stance))
    refresh_days(session, [day_key(stance)])
    return stance


def _alters(stance: Stance, changes: StanceChanges) -> bool:
    """Whether applying ``changes`` would change anything an analyst can see."""
    given: list[tuple[Any, Any]] = [
        (changes.actor and changes.actor.id, stance.actor_id),
        (changes.issue and changes.issue.id, stance.issue_id),
        (changes.position, stance.position),
        (changes.stated_on, stance.stated_on),
        (changes.confidence, stance.confidence),
        (changes.quote, stance.quote),
        (changes.quote_start, stance.quote_start),
        (None if changes.note is None else changes.note.strip(), stance.note),
        (changes.reported_by and changes.reported_by.id, stance.reported_by_id),
        (changes.conditional, stance.conditional),
        (changes.condition, stance.condition),
        (changes.proposal and changes.proposal.id, stance.proposal_id),
    ]
    if changes.attribution is not None:
        given.append((changes.attribution or None, stance.attribution))
        if (changes.reported_by is None) != (stance.reported_by_id is None):
            return True
    if changes.unlink_proposal and stance.proposal_id is not None:
        return True
    return any(new is not None and new != old for new, old in given)


def accept_stance(
    session: Session,
    stance_id: int,
    changes: StanceChanges | None = None,
    *,
    annotator: str,
    expected_version: int,
) -> tuple[Stance, bool]:
    """Accept a suggested stance, first correcting it when ``changes`` alter anything.

    A correction and the acceptance are two events in the history (who corrected what is
    part of the evidence), applied in one transaction against the version the reviewer saw.
    Returns the stance and whether it was corrected.
    """
    require(session, Role.REVIEWER, "accept or reject stances")
    stance = get_stance(session, stance_id)
    _check_version(stance, expected_version)
    corrected = changes is not None and _alters(stance, changes)
    if corrected and changes is not None:
        stance = update_stance(
            session, stance_id, changes, annotator=annotator, expected_version=expected_version
        )
    # The correction (if any) was checked against the version shown; the acceptance
    # follows it in the same transaction, so it applies to whatever version that left.
    stance = review_stance(
        session, stance_id, accept=True, annotator=annotator, expected_version=stance.version
    )
    return stance, corrected


def delete_stance(
    session: Session, stance_id: int, *, annotator: str, expected_version: int
) -> None:
    require(session, Role.ANALYST, "delete stances")
    annotator = check_annotator(annotator, session)
    stance = get_stance(session, stance_id)
    check_may_change(session, stance, "delete")
    _check_version(stance, expected_version)
    before = snapshot(stance)
    day = day_key(stance)
    session.delete(stance)
    _flush_or_conflict(session, stance)
    log_event(session, stance_id, StanceAction.DELETE, annotator, before, None)
    refresh_days(session, [day])


def stance_history(session: Session, stance_id: int) -> Sequence[StanceEvent]:
    return session.scalars(
        select(StanceEvent)
        .where(StanceEvent.stance_id == stance_id)
        .order_by(StanceEvent.at, StanceEvent.id)
    ).all()


def list_stances(
    session: Session, flt: StanceFilter, *, limit: int | None = None, offset: int = 0
) -> Sequence[Stance]:
    query = (
        select(Stance)
        .where(*filter_conditions(session, flt))
        .options(
            joinedload(Stance.actor).joinedload(Actor.party),
            joinedload(Stance.issue),
            joinedload(Stance.source).load_only(
                Source.id,
                Source.title,
                Source.outlet,
                Source.url,
                Source.published_on,
                Source.duplicate_of,
            ),
        )
        .order_by(Stance.stated_on, Stance.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()
