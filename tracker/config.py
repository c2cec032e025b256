"""Where the database lives.

Precedence: an explicit URL (the CLI's --db flag), then TRACKER_DATABASE_URL,
then the embedded default: a SQLite file ``tracker.db`` in the working directory.
"""

import os
from pathlib import Path

ENV_VAR = "TRACKER_DATABASE_URL"
SUGGEST_ENV_VAR = "TRACKER_SUGGEST_ON_INGEST"
DEFAULT_FILENAME = "tracker.db"


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env
    # Absolute, so the Streamlit child process and Alembic see the same file.
    return f"sqlite:///{Path.cwd() / DEFAULT_FILENAME}"


def suggest_on_ingest() -> bool:
    """Whether ingesting also suggests stances, when not said per run: the team's setting
    ``TRACKER_SUGGEST_ON_INGEST=1`` (off by default: suggestions need a taxonomy)."""
    return os.environ.get(SUGGEST_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")
