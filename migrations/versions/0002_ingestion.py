"""ingestion: rewrites, split-off stories, actor mentions, full-text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Full-text search over sources. SQLite: an FTS5 index kept in step with `source` by
# triggers (external content, so the text is stored once). A later migration that
# batch-alters `source` on SQLite must re-create these triggers.
SQLITE_FTS_UP = [
    """CREATE VIRTUAL TABLE source_fts USING fts5(
        title, text, content='source', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER source_fts_insert AFTER INSERT ON source BEGIN
        INSERT INTO source_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER source_fts_delete AFTER DELETE ON source BEGIN
        INSERT INTO source_fts(source_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER source_fts_update AFTER UPDATE OF title, text ON source BEGIN
        INSERT INTO source_fts(source_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO source_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO source_fts(source_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DOWN = [
    "DROP TRIGGER IF EXISTS source_fts_update",
    "DROP TRIGGER IF EXISTS source_fts_delete",
    "DROP TRIGGER IF EXISTS source_fts_insert",
    "DROP TABLE IF EXISTS source_fts",
]
# PostgreSQL: an expression index; tracker.search queries the same expression.
PG_FTS_INDEX = (
    "CREATE INDEX ix_source_fts ON source USING gin (to_tsvector('english', title || ' ' || text))"
)


def upgrade() -> None:
    op.create_table(
        "mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "start_offset >= 0 AND end_offset > start_offset", name=op.f("ck_mention_offsets")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_mention_actor_id_actor"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_mention_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention")),
    )
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mention_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            "ix_mention_source_start", ["source_id", "start_offset"], unique=False
        )

    op.create_table(
        "source_band",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_source_band_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "band", name=op.f("pk_source_band")),
    )
    with op.batch_alter_table("source_band", schema=None) as batch_op:
        batch_op.create_index("ix_source_band_lookup", ["band", "bucket"], unique=False)

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("similarity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("split_from", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("published_basis", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ingest_log", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.add_column(sa.Column("minhash", sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f("ix_source_split_from"), ["split_from"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_source_split_from_source"),
            "source",
            ["split_from"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_source_not_split_from_itself"), "split_from IS NULL OR split_from <> id"
        )
        batch_op.create_check_constraint(
            op.f("ck_source_similarity"),
            "similarity IS NULL OR (similarity >= 0 AND similarity <= 1)",
        )

    # After the batch operation: on SQLite it rebuilds `source`, which drops its triggers.
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_UP:
            op.execute(statement)
    else:
        op.execute(PG_FTS_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX ix_source_fts")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_source_similarity"), type_="check")
        batch_op.drop_constraint(op.f("ck_source_not_split_from_itself"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_source_split_from_source"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_source_split_from"))
        batch_op.drop_column("minhash")
        batch_op.drop_column("ingest_log")
        batch_op.drop_column("published_basis")
        batch_op.drop_column("split_from")
        batch_op.drop_column("similarity")

    with op.batch_alter_table("source_band", schema=None) as batch_op:
        batch_op.drop_index("ix_source_band_lookup")

    op.drop_table("source_band")
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_source_start")
        batch_op.drop_index(batch_op.f("ix_mention_actor_id"))

    op.drop_table("mention")
