"""Double coding: sources two or more analysts code blind, until a reviewer closes them.

A reviewer opens double coding on a source and assigns its analysts (coders). While it
is open:

* each analyst sees only the stances they coded on it, in every service that lists
  stances (:func:`tracker.blinding.visible`): the tag page, stance lists and exports, the
  review queue, the history, proposals, the agreement figures. Reviewers and admins see
  everything; viewers see none of them;
* none of its stances counts in timelines, the matrix, the gap or the weekly report
  (:func:`tracker.blinding.counted`): they are provisional codings, and one analyst's
  stance must not move a published position before the other has coded the source;
* two analysts may quote the very same passage (the unique constraint includes the coder).

A reviewer settles the disagreements on the Agreement page (tracker.agreement) and closes
the source: its accepted stances then count like any other, and the rejected ones stay in
the history. A closed source stays on record, so agreement is still measured over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from tracker.access import principal_of, require
from tracker.agreement import unsettled_on
from tracker.errors import NotFoundError, TrackerError
from tracker.models import Account, DoubleCoder, DoubleCoding, Role, Source, utcnow
from tracker.position_days import refresh_sources
from tracker.text import name_key


@dataclass(frozen=True)
class DoubleCodedSource:
    source_id: int
    title: str
    coders: tuple[str, ...]
    opened_by: str
    is_open: bool


def open_double_coding(
    session: Session, source_ids: Iterable[int], coders: Iterable[str], *, by: str
) -> list[int]:
    """Put these sources into double coding with these analysts (two or more); a source
    already open gets the new list of coders. Returns the source ids."""
    require(session, Role.REVIEWER, "put sources into double coding")
    ids = sorted(set(source_ids))
    keys = sorted({name_key(c) for c in coders if c.strip()})
    if not ids:
        raise TrackerError("name at least one source to double-code")
    if len(keys) < 2:
        raise TrackerError("double coding needs two analysts or more (their user names)")
    if too_long := [k for k in keys if len(k) > 200]:
        raise TrackerError(f"an analyst's name is longer than 200 characters: {too_long[0]!r}")
    found = set(session.scalars(select(Source.id).where(Source.id.in_(ids))))
    if missing := [i for i in ids if i not in found]:
        raise NotFoundError(f"no source with id {', '.join(map(str, missing))}; nothing changed")
    who = principal_of(session).name if principal_of(session).is_account else by
    for source_id in ids:
        row = session.get(DoubleCoding, source_id)
        if row is None:
            row = DoubleCoding(source_id=source_id, opened_by=who, opened_at=utcnow())
            session.add(row)
        row.opened_by, row.opened_at, row.closed_by, row.closed_at = who, utcnow(), None, None
        row.coders = [DoubleCoder(source_id=source_id, coder=k) for k in keys]
    session.flush()
    refresh_sources(session, ids)  # their stances stop counting in timelines
    return ids


def close_double_coding(session: Session, source_ids: Iterable[int], *, by: str) -> list[int]:
    """End double coding on these sources: everyone sees their stances, and the accepted
    ones count in timelines again. Refused while a disagreement on them is unsettled."""
    require(session, Role.REVIEWER, "close double coding")
    ids = sorted(set(source_ids))
    rows = {
        r.source_id: r
        for r in session.scalars(select(DoubleCoding).where(DoubleCoding.source_id.in_(ids)))
    }
    if missing := [i for i in ids if i not in rows or rows[i].closed_at is not None]:
        raise TrackerError(
            f"source {', '.join(map(str, missing))} is not in double coding; nothing changed"
        )
    if pending := unsettled_on(session, ids):
        raise TrackerError(
            f"{pending} disagreement(s) on these sources are not settled yet: settle them on "
            "the Agreement page first; nothing changed"
        )
    who = principal_of(session).name if principal_of(session).is_account else by
    for row in rows.values():
        row.closed_by, row.closed_at = who, utcnow()
    session.flush()
    refresh_sources(session, ids)  # their accepted stances count again
    return ids


def list_double_coding(
    session: Session, *, include_closed: bool = False
) -> list[DoubleCodedSource]:
    """Sources in double coding (and, if asked, those closed), newest first."""
    condition = true() if include_closed else DoubleCoding.closed_at.is_(None)
    rows = session.execute(
        select(DoubleCoding.source_id, Source.title, DoubleCoding.opened_by, DoubleCoding.closed_at)
        .join(Source, Source.id == DoubleCoding.source_id)
        .where(condition)
        .order_by(DoubleCoding.opened_at.desc(), DoubleCoding.source_id.desc())
    ).all()
    coders: dict[int, list[str]] = {}
    for source_id, coder in session.execute(
        select(DoubleCoder.source_id, DoubleCoder.coder)
        .join(DoubleCoding, DoubleCoding.source_id == DoubleCoder.source_id)
        .where(condition)
        .order_by(DoubleCoder.coder)
    ):
        coders.setdefault(source_id, []).append(coder)
    return [
        DoubleCodedSource(sid, title, tuple(coders.get(sid, ())), opened_by, closed is None)
        for sid, title, opened_by, closed in rows
    ]


def analysts(session: Session) -> list[str]:
    """The user names of the enabled accounts that may code (analysts and above)."""
    may_code = [r.value for r in Role if r not in (Role.VIEWER,)]
    return list(
        session.scalars(
            select(Account.username)
            .where(Account.role.in_(may_code), Account.disabled.is_(False))
            .order_by(Account.username_key)
        )
    )


def parse_source_ids(text: str) -> list[int]:
    """Source ids typed as "12, 15 40": a clear message for anything else."""
    parts = text.replace(",", " ").split()
    if not parts:
        raise TrackerError("give the ids of the sources to double-code, e.g. 12, 15")
    if bad := [p for p in parts if not p.isdigit()]:
        raise TrackerError(f"{bad[0]!r} is not a source id (whole numbers, e.g. 12, 15)")
    return sorted({int(p) for p in parts})
