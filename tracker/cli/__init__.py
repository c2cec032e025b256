"""The ``tracker`` command: a thin shell over the library's services.

Every command parses its options, calls a service and prints. Errors a user can
fix (TrackerError) are printed on one line with exit code 2 and no traceback.
"""

from tracker.cli import (  # noqa: F401  (each module registers its commands)
    database,
    double_coding,
    proposals,
    report,
    sources,
    stances,
    suggest,
    taxonomy,
    timelines,
    users,
)
from tracker.cli.app import app, main

__all__ = ["app", "main"]
