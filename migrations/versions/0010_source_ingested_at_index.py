"""an index on source.ingested_at: "sources added this week" (the weekly report's
coverage) read every source without one

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_source_ingested_at", "source", ["ingested_at"])


def downgrade() -> None:
    op.drop_index("ix_source_ingested_at", table_name="source")
