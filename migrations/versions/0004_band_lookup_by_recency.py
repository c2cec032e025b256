"""rewrite lookups stop at recent sources: source_id joins the bucket index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_source_band_lookup", table_name="source_band")
    op.create_index("ix_source_band_lookup", "source_band", ["band", "bucket", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_source_band_lookup", table_name="source_band")
    op.create_index("ix_source_band_lookup", "source_band", ["band", "bucket"])
