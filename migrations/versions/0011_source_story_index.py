"""an index on source (id, duplicate_of): a source's story (rewrites count once) is read
for every counted stance, and PostgreSQL read it from the table's pages of article text

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_source_story", "source", ["id", "duplicate_of"])


def downgrade() -> None:
    op.drop_index("ix_source_story", table_name="source")
