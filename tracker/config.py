"""Where the database lives.

Precedence: an explicit URL (the CLI's --db flag), then TRACKER_DATABASE_URL,
then the embedded default: a SQLite file ``tracker.db`` in the working directory.
"""

import os
from pathlib import Path

ENV_VAR = "TRACKER_DATABASE_URL"
SUGGEST_ENV_VAR = "TRACKER_SUGGEST_ON_INGEST"
# Single sign-on: the request header in which a trusted proxy names the signed-in user.
USER_HEADER_ENV_VAR = "TRACKER_TRUSTED_USER_HEADER"
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


def trusted_user_header() -> str | None:
    """The header a single sign-on proxy names the user in, when the team set one up.

    Only safe when the proxy removes that header from what clients send and the dashboard
    cannot be reached except through the proxy (docs/user-guide.md)."""
    return os.environ.get(USER_HEADER_ENV_VAR, "").strip() or None
