"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('person', 'government', 'state', 'organisation', 'coalition')",
            name=op.f("ck_actor_kind"),
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_actor_name_not_blank")),
        sa.CheckConstraint(
            "party_id IS NULL OR party_id <> id", name=op.f("ck_actor_not_own_party")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["actor.id"], name=op.f("fk_actor_party_id_actor"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("name", name=op.f("uq_actor_name")),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_party_id"), ["party_id"], unique=False)

    op.create_table(
        "issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("label_neg2", sa.String(length=200), nullable=False),
        sa.Column("label_neg1", sa.String(length=200), nullable=False),
        sa.Column("label_zero", sa.String(length=200), nullable=False),
        sa.Column("label_pos1", sa.String(length=200), nullable=False),
        sa.Column("label_pos2", sa.String(length=200), nullable=False),
        sa.CheckConstraint("length(slug) > 0", name=op.f("ck_issue_slug_not_blank")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_issue_name_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue")),
        sa.UniqueConstraint("slug", name=op.f("uq_issue_slug")),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "duplicate_of IS NULL OR duplicate_of <> id", name=op.f("ck_source_not_own_duplicate")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["source.id"],
            name=op.f("fk_source_duplicate_of_source"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_source_content_hash")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_duplicate_of"), ["duplicate_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_published_on"), ["published_on"], unique=False)

    op.create_table(
        "stance_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stance_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'accept', 'reject', 'delete')",
            name=op.f("ck_stance_event_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance_event")),
    )
    with op.batch_alter_table("stance_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stance_event_annotator"), ["annotator"], unique=False)
        batch_op.create_index(batch_op.f("ix_stance_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_stance_event_stance_at", ["stance_id", "at"], unique=False)

    op.create_table(
        "actor_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.CheckConstraint("length(trim(alias)) > 0", name=op.f("ck_actor_alias_alias_not_blank")),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_actor_alias_actor_id_actor"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_alias")),
        sa.UniqueConstraint("alias_key", name=op.f("uq_actor_alias_alias_key")),
    )
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_alias_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "stance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("stated_on", sa.Date(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=False),
        sa.Column("quote_end", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("annotator", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('analyst', 'suggestion', 'import')", name=op.f("ck_stance_origin")
        ),
        sa.CheckConstraint(
            "status IN ('suggested', 'accepted', 'rejected')", name=op.f("ck_stance_status")
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_stance_confidence")
        ),
        sa.CheckConstraint("position BETWEEN -2 AND 2", name=op.f("ck_stance_position")),
        sa.CheckConstraint(
            "quote_end - quote_start = length(quote)", name=op.f("ck_stance_quote_length")
        ),
        sa.CheckConstraint(
            "quote_start >= 0 AND quote_end > quote_start", name=op.f("ck_stance_quote_offsets")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_stance_actor_id_actor"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_stance_issue_id_issue"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_stance_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance")),
    )
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.create_index("ix_stance_actor_stated", ["actor_id", "stated_on"], unique=False)
        batch_op.create_index(
            "ix_stance_issue_actor_stated", ["issue_id", "actor_id", "stated_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stance_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stance_stated_on"), ["stated_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_stance_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stance_status"))
        batch_op.drop_index(batch_op.f("ix_stance_stated_on"))
        batch_op.drop_index(batch_op.f("ix_stance_source_id"))
        batch_op.drop_index("ix_stance_issue_actor_stated")
        batch_op.drop_index("ix_stance_actor_stated")

    op.drop_table("stance")
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_alias_actor_id"))

    op.drop_table("actor_alias")
    with op.batch_alter_table("stance_event", schema=None) as batch_op:
        batch_op.drop_index("ix_stance_event_stance_at")
        batch_op.drop_index(batch_op.f("ix_stance_event_at"))
        batch_op.drop_index(batch_op.f("ix_stance_event_annotator"))

    op.drop_table("stance_event")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_published_on"))
        batch_op.drop_index(batch_op.f("ix_source_duplicate_of"))

    op.drop_table("source")
    op.drop_table("issue")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_party_id"))

    op.drop_table("actor")
