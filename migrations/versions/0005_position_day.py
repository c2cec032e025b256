"""position_day: per-day positions kept ready for timelines, the matrix and reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The counting rules of tracker.timelines, written out so this migration keeps meaning
# what it meant when it was written: accepted stances, one per story (a source and its
# rewrites) per actor, issue and day; the day's mean; the stance closest to it.
FILL = """
INSERT INTO position_day (actor_id, issue_id, day, position, stances, stance_id)
SELECT actor_id, issue_id, stated_on, day_mean, day_count, id
FROM (
    SELECT ranked.*,
           row_number() OVER (
               PARTITION BY actor_id, issue_id, stated_on
               ORDER BY abs(position - day_mean), confidence DESC, id
           ) AS pick
    FROM (
        SELECT once.*,
               avg(position) OVER (PARTITION BY actor_id, issue_id, stated_on) AS day_mean,
               count(*) OVER (PARTITION BY actor_id, issue_id, stated_on) AS day_count
        FROM (
            SELECT stance.id, stance.actor_id, stance.issue_id, stance.stated_on,
                   stance.position, stance.confidence,
                   row_number() OVER (
                       PARTITION BY stance.actor_id, stance.issue_id, stance.stated_on,
                                    coalesce(source.duplicate_of, source.id)
                       ORDER BY stance.id
                   ) AS nth_of_story
            FROM stance JOIN source ON source.id = stance.source_id
            WHERE stance.status = 'accepted' AND stance.confidence >= 0
        ) AS once
        WHERE nth_of_story = 1
    ) AS ranked
) AS picked
WHERE pick = 1
"""


def upgrade() -> None:
    op.create_table(
        "position_day",
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("stances", sa.Integer(), nullable=False),
        sa.Column("stance_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name="fk_position_day_actor_id_actor", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name="fk_position_day_issue_id_issue", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stance_id"],
            ["stance.id"],
            name="fk_position_day_stance_id_stance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", "actor_id", "day", name="pk_position_day"),
    )
    op.create_index(
        "ix_position_day_actor_issue_day", "position_day", ["actor_id", "issue_id", "day"]
    )
    op.create_index("ix_position_day_day", "position_day", ["day"])
    op.create_index("ix_position_day_stance_id", "position_day", ["stance_id"])
    op.execute(FILL)


def downgrade() -> None:
    op.drop_index("ix_position_day_stance_id", table_name="position_day")
    op.drop_index("ix_position_day_day", table_name="position_day")
    op.drop_index("ix_position_day_actor_issue_day", table_name="position_day")
    op.drop_table("position_day")
