"""PostgreSQL search without stemming or stop words ('simple'), as SQLite's FTS5: the
'english' index found "guarantee" in "guaranteed" and nothing for "will not"

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# tracker.search queries the same expressions, so PostgreSQL can use the index. The new
# one splits words as SQLite's FTS5 does: every run of letters and digits is a word.
_SIMPLE = "to_tsvector('simple', regexp_replace(title || ' ' || text, '[^[:alnum:]]+', ' ', 'g'))"
_ENGLISH = "to_tsvector('english', title || ' ' || text)"


def _reindex(document: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 table is unchanged
    op.execute("DROP INDEX IF EXISTS ix_source_fts")
    op.execute(f"CREATE INDEX ix_source_fts ON source USING gin ({document})")


def upgrade() -> None:
    _reindex(_SIMPLE)


def downgrade() -> None:
    _reindex(_ENGLISH)
