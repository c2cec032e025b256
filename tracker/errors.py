"""Errors a user can act on.

Services raise these with a message that names the problem; the CLI prints the
message on one line and exits with code 2, the dashboard shows it in an error box.
"""

from typing import Any


class TrackerError(Exception):
    """Bad input or a state the user must fix; the message is shown as is."""


class NotFoundError(TrackerError):
    """A named actor, issue, source or stance does not exist."""


class ConflictError(TrackerError):
    """Someone else changed the record since it was loaded (optimistic locking).

    ``current`` holds the newer version, so a UI can show it next to the user's edit.
    """

    def __init__(self, message: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current


class PermissionDenied(TrackerError):
    """The acting account's role does not allow this change; nothing was written."""
