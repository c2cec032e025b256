"""Proposals: the texts a negotiation revolves around (the Alaska outline, a 28-point plan),
their versions, and every actor's stances on them over time.

A stance links to a proposal when it is a reaction to it ("Zelenskyy rejected the outline
of Putin's Alaska proposals"); the stance keeps its issue and position, the link says
which text it was about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.access import require
from tracker.errors import NotFoundError, TrackerError
from tracker.models import Actor, Proposal, ProposalVersion, Role, Stance, StanceStatus
from tracker.stance_query import StanceFilter, records_query
from tracker.text import check_length, name_key

NAME_LIMIT = 200
TEXT_LIMIT = 100_000


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise TrackerError("a proposal needs a name (e.g. 'Putin's Alaska proposals')")
    return check_length(name, NAME_LIMIT, "the proposal's name")


def _check_text(text: str) -> str:
    if "\x00" in text:
        raise TrackerError("the proposal's text contains a NUL byte")
    return check_length(text.strip(), TEXT_LIMIT, "the proposal's text")


def add_proposal(
    session: Session,
    name: str,
    *,
    author: Actor,
    proposed_on: dt.date,
    text: str = "",
) -> Proposal:
    """A new proposal with its first version (dated the day it was proposed)."""
    require(session, Role.ANALYST, "add proposals")
    name = _check_name(name)
    if session.scalar(select(Proposal.id).where(Proposal.name_key == name_key(name))):
        raise TrackerError(f"a proposal named {name!r} exists; add a version to it instead")
    proposal = Proposal(name=name, name_key=name_key(name), author=author, proposed_on=proposed_on)
    proposal.versions.append(ProposalVersion(dated_on=proposed_on, text=_check_text(text)))
    session.add(proposal)
    session.flush()
    return proposal


def add_version(
    session: Session, proposal: Proposal, *, dated_on: dt.date, text: str = ""
) -> ProposalVersion:
    """A later (or earlier) version of the text, by its date."""
    require(session, Role.ANALYST, "add proposal versions")
    if any(v.dated_on == dated_on for v in proposal.versions):
        raise TrackerError(f"{proposal.name!r} already has a version dated {dated_on}")
    version = ProposalVersion(dated_on=dated_on, text=_check_text(text))
    proposal.versions.append(version)
    session.flush()
    return version


def get_proposal(session: Session, name: str) -> Proposal:
    """A proposal by its name (any case) or its id."""
    query = select(Proposal).options(selectinload(Proposal.versions))
    found = session.scalar(query.where(Proposal.name_key == name_key(name)))
    if found is None and name.strip().isdigit():
        found = session.scalar(query.where(Proposal.id == int(name)))
    if found is None:
        raise NotFoundError(f"no proposal named {name!r} (see tracker proposals list)")
    return found


def list_proposals(session: Session) -> list[dict[str, Any]]:
    """Every proposal with its author, date, number of versions and linked stances."""
    stances = (
        select(Stance.proposal_id, func.count().label("n"))
        .group_by(Stance.proposal_id)
        .subquery("linked")
    )
    versions = (
        select(ProposalVersion.proposal_id, func.count().label("n"))
        .group_by(ProposalVersion.proposal_id)
        .subquery("versions")
    )
    rows = session.execute(
        select(
            Proposal.id,
            Proposal.name,
            Actor.name,
            Proposal.proposed_on,
            func.coalesce(versions.c.n, 0),
            func.coalesce(stances.c.n, 0),
        )
        .join(Actor, Actor.id == Proposal.author_id)
        .outerjoin(versions, versions.c.proposal_id == Proposal.id)
        .outerjoin(stances, stances.c.proposal_id == Proposal.id)
        .order_by(Proposal.proposed_on, Proposal.name)
    )
    return [
        {
            "proposal_id": pid,
            "name": name,
            "author": author,
            "proposed_on": proposed_on.isoformat(),
            "versions": int(nv),
            "stances": int(ns),
        }
        for pid, name, author, proposed_on, nv, ns in rows
    ]


def proposal_stances(
    session: Session,
    proposal: Proposal,
    *,
    statuses: Sequence[str] = (StanceStatus.ACCEPTED.value,),
) -> list[dict[str, Any]]:
    """Every actor's stances linked to the proposal, oldest first (the CSV's columns)."""
    query = records_query(session, StanceFilter()).where(
        Stance.proposal_id == proposal.id, Stance.status.in_(list(statuses))
    )
    result = []
    for row in session.execute(query).mappings():
        record = dict(row)
        record["conditional"] = bool(record["conditional"])
        result.append(record)
    return result


def describe(proposal: Proposal) -> dict[str, Any]:
    return {
        "proposal_id": proposal.id,
        "name": proposal.name,
        "author": proposal.author.name,
        "proposed_on": proposal.proposed_on.isoformat(),
        "versions": [
            {"dated_on": v.dated_on.isoformat(), "text": v.text}
            for v in sorted(proposal.versions, key=lambda v: v.dated_on)
        ],
    }
