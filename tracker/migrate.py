"""Run the Alembic migrations that ship inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from tracker.search import ensure_accent_folding


def _scripts() -> str:
    """The migrations beside this package in a source checkout, else the packaged ones: an
    editable install maps ``tracker.migrations`` to its own checkout, which may not be the
    one on PYTHONPATH (a second worktree would run the first one's migrations)."""
    checkout = Path(__file__).resolve().parent.parent / "migrations"
    if (checkout / "env.py").is_file():
        return str(checkout)
    return str(files("tracker.migrations"))


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", _scripts())
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Migrate to ``revision``. Returns whether search ignores accents there (on
    PostgreSQL it needs the unaccent extension: tracker.search.ensure_accent_folding)."""
    # A connection with no transaction yet: env.py must adjust SQLite pragmas before
    # the migration's own transaction begins.
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
    if revision != "head":
        return True
    with engine.begin() as connection:
        return ensure_accent_folding(connection)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
