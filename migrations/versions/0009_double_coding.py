"""double coding: the coder of each stance, one stance per passage and coder, sources in
double coding and their assigned analysts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.text import name_key

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PASSAGE = ["actor_id", "issue_id", "source_id", "quote_start", "quote_end"]


def upgrade() -> None:
    with op.batch_alter_table("stance") as batch_op:
        batch_op.add_column(
            sa.Column("coder", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_stance_passage", type_="unique")
        batch_op.create_unique_constraint("uq_stance_passage", [*PASSAGE, "coder"])
    _fill_coders()
    op.create_table(
        "double_coding",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_double_coding_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_double_coding")),
    )
    with op.batch_alter_table("double_coding") as batch_op:
        batch_op.create_index(batch_op.f("ix_double_coding_closed_at"), ["closed_at"])
    op.create_table(
        "double_coder",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("coder", sa.String(length=200), nullable=False),
        sa.CheckConstraint("length(coder) > 0", name=op.f("ck_double_coder_coder_not_blank")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["double_coding.source_id"],
            name=op.f("fk_double_coder_source_id_double_coding"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "coder", name=op.f("pk_double_coder")),
    )


def _fill_coders() -> None:
    """Each stored stance's coder: who recorded it (its first 'create' event), or, for rows
    with no history (loaded by hand), its annotator; none for suggestions. The old
    constraint held, so any filling keeps the new one."""
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE stance SET coder = trim(coalesce((SELECT e.annotator FROM stance_event e"
            " WHERE e.stance_id = stance.id AND e.action = 'create' ORDER BY e.id LIMIT 1),"
            " annotator)) WHERE origin <> 'suggestion'"
        )
    )
    # SQL cannot casefold like Python (SQLite's lower() knows ASCII only): fix the few
    # distinct names whose key differs, one statement each.
    names = bind.execute(sa.text("SELECT DISTINCT coder FROM stance")).scalars().all()
    for name in names:
        if name and name_key(name) != name:
            bind.execute(
                sa.text("UPDATE stance SET coder = :key WHERE coder = :name"),
                {"key": name_key(name), "name": name},
            )


def downgrade() -> None:
    # Never drop an analyst's data silently: double-coded passages must be settled first.
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
            "analysts double coding quoted the same actor, issue and passage: "
            f"{listed}; delete all but one of each, then downgrade again"
        )
    op.drop_table("double_coder")
    with op.batch_alter_table("double_coding") as batch_op:
        batch_op.drop_index(batch_op.f("ix_double_coding_closed_at"))
    op.drop_table("double_coding")
    with op.batch_alter_table("stance") as batch_op:
        batch_op.drop_constraint("uq_stance_passage", type_="unique")
        batch_op.create_unique_constraint("uq_stance_passage", PASSAGE)
        batch_op.drop_column("coder")
