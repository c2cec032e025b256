"""an index on stance (issue_id, stated_on): the Stances page filtered to one issue read
all of that issue's stances and sorted them for each page (~2 s at a million stances)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_stance_issue_stated", "stance", ["issue_id", "stated_on"])


def downgrade() -> None:
    op.drop_index("ix_stance_issue_stated", table_name="stance")
