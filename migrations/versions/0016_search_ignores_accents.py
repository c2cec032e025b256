"""PostgreSQL search ignores accents, as SQLite's FTS5 does ("Elysee" finds "Élysée",
"Erdogan" finds "Erdoğan"), through the unaccent extension where the server has it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# tracker.search queries the same expressions, so PostgreSQL can use the index. Accents
# go first: unaccent writes "½" as "1/2", which the split into letters and digits follows.
_FOLDED = (
    "to_tsvector('simple', "
    "regexp_replace(tracker_fold(title || ' ' || text), '[^[:alnum:]]+', ' ', 'g'))"
)
_SIMPLE = "to_tsvector('simple', regexp_replace(title || ' ' || text, '[^[:alnum:]]+', ' ', 'g'))"
_INSTALLED = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"


def _unaccent_schema(bind: Connection) -> str | None:
    """The schema of the unaccent extension, installed here if the server ships it and
    this role may (it is a trusted extension: a database owner may); else None."""
    schema = bind.execute(text(_INSTALLED)).scalar()
    if schema is not None:
        return str(schema)
    shipped = "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'"
    if bind.execute(text(shipped)).scalar() is None:
        return None
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError:
        return None  # not allowed here: search keeps its accents, as before
    found = bind.execute(text(_INSTALLED)).scalar()
    return None if found is None else str(found)


def _reindex(document: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_source_fts")
    op.execute(f"CREATE INDEX ix_source_fts ON source USING gin ({document})")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite's FTS5 table already ignores accents
    schema = _unaccent_schema(bind)
    # IMMUTABLE (unaccent itself is only STABLE: its rules file could change) so that an
    # index can use it; without the extension it returns the text as it is.
    body = (
        f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
        if schema
        else "SELECT $1"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION tracker_fold(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ {body} $$"
    )
    _reindex(_FOLDED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _reindex(_SIMPLE)
    op.execute("DROP FUNCTION IF EXISTS tracker_fold(text)")
    # The unaccent extension stays: other software may use it.
