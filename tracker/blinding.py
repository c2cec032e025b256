"""Who sees which stances while sources are in double coding (see tracker.double_coding).

Conditions on ``stance`` that every listing service adds to its query, so the rule holds
whatever page, export or command asks: on a source in double coding an analyst sees only
the stances they coded, a viewer none, a reviewer or admin (and the command line) all.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from tracker.access import principal_of
from tracker.models import DoubleCoding, Role, Stance
from tracker.text import name_key


def open_sources() -> Select[tuple[int]]:
    """The ids of the sources in double coding now (a subquery: the table stays small)."""
    return select(DoubleCoding.source_id).where(DoubleCoding.closed_at.is_(None))


def visible(session: Session) -> ColumnElement[bool] | None:
    """The stances the session's principal may see; None when it sees all of them."""
    principal = principal_of(session)
    if principal.may(Role.REVIEWER):
        return None
    blind = Stance.source_id.in_(open_sources())
    if not principal.may(Role.ANALYST):
        return ~blind
    return ~blind | (Stance.coder == name_key(principal.name))


def visible_conditions(session: Session) -> list[ColumnElement[bool]]:
    """:func:`visible` as a list, to unpack into a query's ``where``."""
    condition = visible(session)
    return [] if condition is None else [condition]


def counted() -> ColumnElement[bool]:
    """Stances that may count in timelines and reports: none on a source still in double
    coding (provisional codings, two per passage, until a reviewer closes it)."""
    return Stance.source_id.not_in(open_sources())


def is_open(session: Session, source_id: int) -> bool:
    """Whether the source is in double coding now."""
    found = session.scalar(open_sources().where(DoubleCoding.source_id == source_id))
    return found is not None
