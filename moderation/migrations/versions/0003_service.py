"""The site integration service: API keys, the webhook outbox, a commit-safe feed cursor.

- ``api_keys``: name, public key id, argon2 hash of the key, scopes, revocation time;
- ``webhook_outbox``: one row per decision the site should hear of, written in the
  decision's transaction, with its delivery state;
- ``decisions.txid``: the id of the transaction that wrote the row. On PostgreSQL its
  server default is ``pg_current_xact_id()``, so the decision feed can serve rows in
  (txid, id) order below the oldest transaction still running and never skip a row that
  commits after a later id was read; existing rows get 0 (they are all committed). SQLite
  serialises its writers, so it keeps 0 and the feed orders by id;
- ``comments.parent_id``: the site's id of the comment a reply answers.

Every change adds a column or a table (no table is recreated, so the append-only triggers of
``decisions`` stay as they are), on SQLite too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
PG_TXID = "pg_current_xact_id()::text::bigint"


def upgrade() -> None:
    op.add_column("comments", sa.Column("parent_id", sa.String(200)))
    op.add_column("decisions", sa.Column("txid", sa.BigInteger, nullable=False,
                                         server_default="0"))
    if op.get_bind().dialect.name == "postgresql":  # rows before it keep 0: no rewrite
        op.execute(f"ALTER TABLE decisions ALTER COLUMN txid SET DEFAULT {PG_TXID}")
    op.create_index("ix_decisions_feed", "decisions", ["txid", "id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("key_hash", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False,
                  unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS),
        sa.Column("leased_until", TS),
        sa.Column("delivered_at", TS),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_webhook_outbox_pending", "webhook_outbox",
                    ["delivered_at", "decision_id"])


def downgrade() -> None:
    """Back to 0002: the keys and the delivery state go (the decisions stay)."""
    op.drop_index("ix_webhook_outbox_pending", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_table("api_keys")
    op.drop_index("ix_decisions_feed", table_name="decisions")
    # native DROP COLUMN (SQLite >= 3.35): recreating decisions would drop its triggers
    op.execute("ALTER TABLE decisions DROP COLUMN txid")
    op.execute("ALTER TABLE comments DROP COLUMN parent_id")
