"""Who is acting, and what their role lets them change.

Every service that writes asks here first, so a viewer cannot change anything through
the dashboard or through any function the dashboard calls, whatever the page shows.
The acting principal travels with the SQLAlchemy session (``session.info``): the
dashboard attaches the signed-in account to every session it opens; library and
command-line callers that attach nothing act as :data:`SYSTEM`. The command line runs
with the database credentials themselves, so anyone who can run it could change the
tables with SQL anyway: guarding it with a role would protect nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.errors import PermissionDenied
from tracker.models import Role
from tracker.text import name_key

ROLES = tuple(role.value for role in Role)
_RANK = {role: rank for rank, role in enumerate(Role)}
_INFO_KEY = "tracker_principal"


@dataclass(frozen=True)
class Principal:
    """An account acting through the dashboard, or the command line (``account_id`` None)."""

    name: str
    role: Role
    account_id: int | None = None

    @property
    def is_account(self) -> bool:
        return self.account_id is not None

    def may(self, role: Role) -> bool:
        """Whether this principal has ``role`` or a higher one."""
        return _RANK[self.role] >= _RANK[role]


SYSTEM = Principal("system", Role.ADMIN)


def attach(session: Session, principal: Principal) -> Session:
    session.info[_INFO_KEY] = principal
    return session


def principal_of(session: Session) -> Principal:
    found = session.info.get(_INFO_KEY)
    return found if isinstance(found, Principal) else SYSTEM


def require(session: Session, role: Role, doing: str) -> Principal:
    """The session's principal, if its role allows ``doing``; else PermissionDenied."""
    principal = principal_of(session)
    if not principal.may(role):
        raise PermissionDenied(
            f"{principal.role.value}s cannot {doing} (signed in as {principal.name}; "
            f"it takes the {role.value} role or higher); nothing was saved"
        )
    return principal


def annotator(session: Session, given: str) -> str:
    """The name recorded with a change: a signed-in account's own, whatever was passed."""
    principal = principal_of(session)
    return principal.name if principal.is_account else given


def same_person(principal: Principal, name: str | None) -> bool:
    return name is not None and name_key(name) == name_key(principal.name)
