"""Near-duplicate band keys from word pairs per line (``moderation.queue.sketches``).

The keys of 0001-0006 were MinHash of character 4-grams in 8 bands of 4 rows: a copy with a
first line of its own (a casino or job ad "personalised" per post) fell below the Jaccard
threshold and mostly shared no band. Every comment version's sketch is recomputed here, in
batches of ``BATCH`` comments, with the keys ``sketches.band_keys`` gives now (24 bands of
3 rows of word-pair hashes). ``comment_sketches`` is derived data, not an audit table: its
rows are deleted and written again (as the owner role, which runs migrations).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Callable

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 2000
_comments = sa.table("comments", sa.column("id", sa.Integer), sa.column("text", sa.Text))
_sketches = sa.table("comment_sketches", sa.column("comment_id", sa.Integer),
                     sa.column("band", sa.SmallInteger), sa.column("key", sa.BigInteger))


def recompute(conn: sa.Connection, keys_of: Callable[[str], list[int]]) -> int:
    """Replace every sketch with ``keys_of(text)``; returns how many comments were read."""
    conn.execute(_sketches.delete())
    last, done = 0, 0
    while True:
        batch = conn.execute(sa.select(_comments.c.id, _comments.c.text)
                             .where(_comments.c.id > last).order_by(_comments.c.id)
                             .limit(BATCH)).all()
        if not batch:
            return done
        rows = [dict(comment_id=cid, band=band, key=key) for cid, text in batch
                for band, key in enumerate(keys_of(text or ""))]
        if rows:
            conn.execute(_sketches.insert(), rows)
        last, done = batch[-1].id, done + len(batch)


def upgrade() -> None:
    from moderation.queue.sketches import band_keys

    recompute(op.get_bind(), band_keys)


def downgrade() -> None:
    """Back to 0007: the keys of revisions 0001-0006 (character 4-grams, 8 bands of 4)."""
    recompute(op.get_bind(), _keys_0006)


def _keys_0006(text: str) -> list[int]:
    """``sketches.band_keys`` as revisions 0001-0006 had it, frozen here for the downgrade."""
    rng = np.random.default_rng(20240601)
    a = rng.integers(1, 2**63, size=(32, 1), dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=(32, 1), dtype=np.uint64)
    norm = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()
    grams = ({norm[i:i + 4] for i in range(len(norm) - 3)} if len(norm) > 4 else
             {norm} if norm else set())
    if not grams:
        return []
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64,
                         count=len(grams))
    mins = ((a * hashes + b) >> np.uint64(32)).min(axis=1)
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + mins[band * 4:band * 4 + 4]
                                           .tobytes(), digest_size=8).digest(), "big") >> 1
            for band in range(8)]
