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

# tracker.search queries the same expressions, so PostgreSQL can use the index. The
# configuration is 'simple' (no stemming, no stop words) with unaccent before it for the
# token types that can hold accented letters; ts_headline then marks the words as written.
_FOLDED = (
    "to_tsvector('tracker_search', regexp_replace(title || ' ' || text, '[^[:alnum:]]+', ' ', 'g'))"
)
_SIMPLE = "to_tsvector('simple', regexp_replace(title || ' ' || text, '[^[:alnum:]]+', ' ', 'g'))"
# The dictionary's schema quoted by format(%I), never pasted from Python.
_FOLD_ACCENTS = """
DO $$
DECLARE dictionary text;
BEGIN
  SELECT format('%I.%I', n.nspname, d.dictname) INTO dictionary
  FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
  WHERE d.dictname = 'unaccent' LIMIT 1;
  IF dictionary IS NOT NULL THEN
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION tracker_search ALTER MAPPING FOR '
                   'word, hword, hword_part, numword, numhword, hword_numpart '
                   'WITH %s, simple', dictionary);
  END IF;
END $$
"""


def _install_unaccent(bind: Connection) -> None:
    """The unaccent extension, if the server ships it and this role may install it (a
    trusted extension: a database owner may); else search keeps its accents."""
    shipped = "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'"
    if bind.execute(text(shipped)).scalar() is None:
        return
    try:
        with bind.begin_nested():
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError:
        return


def _reindex(document: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_source_fts")
    op.execute(f"CREATE INDEX ix_source_fts ON source USING gin ({document})")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite's FTS5 table already ignores accents
    _install_unaccent(bind)
    op.execute("CREATE TEXT SEARCH CONFIGURATION tracker_search (COPY = pg_catalog.simple)")
    op.execute(_FOLD_ACCENTS)
    _reindex(_FOLDED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _reindex(_SIMPLE)
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS tracker_search")
    # The unaccent extension stays: other software may use it.
