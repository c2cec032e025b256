"""Errors a user can act on.

Services raise these with a message that names the problem; the CLI prints the
message on one line and exits with code 2, the dashboard shows it in an error box.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.csv_io import Place


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


class RowProblems:
    """The problems of a file's rows, gathered so that one error lists them all: a file
    with three typos should not take three runs to fix. Used by imports that write
    nothing unless every row is good (the caller's transaction rolls back on the raise)."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    @contextmanager
    def row(self, at: "Place | None") -> Iterator[None]:
        """Note a problem the block raises, as in the row ``at`` (None: rows built
        elsewhere than from a file), and go on."""
        try:
            yield
        except TrackerError as exc:
            self.found.append((at.row, f"{at}: {exc}") if at else (0, str(exc)))

    def raise_any(self) -> None:
        found = [problem for _, problem in sorted(self.found, key=lambda p: p[0])]  # stable
        if len(found) == 1:
            raise TrackerError(found[0])
        if found:
            listed = "\n".join(f"  {problem}" for problem in found)
            raise TrackerError(f"{len(found)} problems, nothing imported:\n{listed}")
