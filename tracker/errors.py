"""Errors a user can act on.

Services raise these with a message that names the problem; the CLI prints the
message on one line and exits with code 2, the dashboard shows it in an error box.
"""


class TrackerError(Exception):
    """Bad input or a state the user must fix; the message is shown as is."""


class NotFoundError(TrackerError):
    """A named actor, issue, source or stance does not exist."""


class ConflictError(TrackerError):
    """Someone else changed the record since it was loaded (optimistic locking)."""
