"""stance evidence: attribution (and the reporting actor), condition

Stances stored before this revision get no attribution (NULL, shown as "not recorded"):
nobody read them for it, and calling them paraphrases would invent evidence. They are
unconditional, with an empty condition, as they were read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTRIBUTIONS = "'on_record', 'paraphrase', 'anonymous_source', 'reported_by_other'"


def upgrade() -> None:
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attribution", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("reported_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("conditional", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("condition", sa.Text(), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_stance_reported_by_id"), ["reported_by_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_stance_reported_by_id_actor"),
            "actor",
            ["reported_by_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_stance_attribution"),
            f"attribution IS NULL OR attribution IN ({ATTRIBUTIONS})",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_stance_reported_by"),
            "CASE WHEN attribution = 'reported_by_other' THEN reported_by_id IS NOT NULL "
            "ELSE reported_by_id IS NULL END",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_stance_not_self"),
            "reported_by_id IS NULL OR reported_by_id <> actor_id",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_stance_condition"),
            "(conditional AND length(trim(condition)) > 0) OR (NOT conditional AND condition = '')",
        )


def downgrade() -> None:
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_stance_condition"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_stance_not_self"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_stance_reported_by"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_stance_attribution"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_stance_reported_by_id_actor"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stance_reported_by_id"))
        batch_op.drop_column("condition")
        batch_op.drop_column("conditional")
        batch_op.drop_column("reported_by_id")
        batch_op.drop_column("attribution")
