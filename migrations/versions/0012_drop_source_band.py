"""drop source_band: the LSH bands of the recent sources are read from source.minhash
into memory once per ingestion call (tracker.band_index); 64 indexed rows per source,
kept for ever, were a fifth of the time of ingesting an article

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The signature's layout when the table was dropped (tracker.dedup): 128 uint32 slots,
# 64 bands of 2. Written out here so that the downgrade never depends on today's code.
_BANDS, _BAND_BYTES = 64, 8
_EMPTY = b"\xff" * (_BANDS * _BAND_BYTES)


def upgrade() -> None:
    op.drop_index("ix_source_band_lookup", table_name="source_band")
    op.drop_table("source_band")


def downgrade() -> None:
    band_table = op.create_table(
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
    # The rows the tracker wrote then: (band, signed 64-bit BLAKE2b of the band's bytes),
    # none for a featureless text's signature.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, minhash FROM source WHERE minhash IS NOT NULL ORDER BY id")
    ).all()  # read before writing: one connection
    batch: list[dict[str, int]] = []
    for source_id, signature in rows:
        signature = bytes(signature)
        if signature == _EMPTY or len(signature) != _BANDS * _BAND_BYTES:
            continue
        for band in range(_BANDS):
            part = signature[band * _BAND_BYTES : (band + 1) * _BAND_BYTES]
            digest = hashlib.blake2b(part, digest_size=8).digest()
            batch.append(
                {
                    "source_id": source_id,
                    "band": band,
                    "bucket": int.from_bytes(digest, "little", signed=True),
                }
            )
        if len(batch) >= 6400:
            op.bulk_insert(band_table, batch)
            batch = []
    if batch:
        op.bulk_insert(band_table, batch)
    op.create_index("ix_source_band_lookup", "source_band", ["band", "bucket", "source_id"])
