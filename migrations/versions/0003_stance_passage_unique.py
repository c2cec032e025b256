"""one stance per actor, issue and passage

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PASSAGE = ["actor_id", "issue_id", "source_id", "quote_start", "quote_end"]


def upgrade() -> None:
    # Never drop an analyst's data silently: repeats must be resolved by a person first.
    repeats = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT min(id), count(*) FROM stance GROUP BY {', '.join(PASSAGE)} "
                "HAVING count(*) > 1"
            )
        )
        .all()
    )
    if repeats:
        listed = ", ".join(f"#{first} (x{n})" for first, n in repeats[:10])
        raise RuntimeError(
            "stances record the same actor, issue and passage more than once: "
            f"{listed}; delete the extra ones, then upgrade again"
        )
    # Rebuilds only `stance` on SQLite; the FTS triggers live on `source` (see 0002).
    with op.batch_alter_table("stance") as batch_op:
        batch_op.create_unique_constraint("uq_stance_passage", PASSAGE)


def downgrade() -> None:
    with op.batch_alter_table("stance") as batch_op:
        batch_op.drop_constraint("uq_stance_passage", type_="unique")
