"""position_day: two passages of one article on a day both count (the day's mean); before,
the stance recorded first stood for its whole story, so a second quote was dropped

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The counting rules of tracker.timelines, written out so the migration keeps meaning what
# it meant when it was written: accepted stances, none from a source in double coding; of
# a source and its rewrites, for an actor, issue and day (upgrade: the original when it
# has stances, else the rewrite recorded first, with all its stances; downgrade: the
# earliest recorded stance alone); the day's mean; the stance closest to it.
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
                   stance.position, stance.confidence, stance.source_id,
                   {first} OVER (
                       PARTITION BY stance.actor_id, stance.issue_id, stance.stated_on,
                                    coalesce(source.duplicate_of, source.id)
                       ORDER BY {order}
                   ) AS story_first
            FROM stance JOIN source ON source.id = stance.source_id
            WHERE stance.status = 'accepted' AND stance.confidence >= 0
              AND stance.source_id NOT IN (
                  SELECT source_id FROM double_coding WHERE closed_at IS NULL
              )
        ) AS once
        WHERE {kept}
    ) AS ranked
) AS picked
WHERE pick = 1
"""


def _refill(first: str, order: str, kept: str) -> None:
    op.execute("DELETE FROM position_day")
    op.execute(FILL.format(first=first, order=order, kept=kept))


def upgrade() -> None:
    _refill(
        "first_value(stance.source_id)",
        "source.duplicate_of IS NOT NULL, stance.id",
        "source_id = story_first",
    )


def downgrade() -> None:
    _refill("row_number()", "stance.id", "story_first = 1")
