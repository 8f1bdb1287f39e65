"""Initial comment store: comments, predictions, queue, claims, append-only decisions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
APPEND_ONLY = "decisions are append-only: record an undo instead of changing a decision"


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("flagged", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("external_id", sa.String(200), nullable=False, unique=True),
        sa.Column("article_id", sa.String(200)),
        sa.Column("article_title", sa.Text),
        sa.Column("article_url", sa.Text),
        sa.Column("author", sa.String(200)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("posted_at", TS),
        sa.Column("ingested_at", TS, nullable=False),
        sa.Column("ingest_run_id", sa.Integer, sa.ForeignKey("ingest_runs.id")),
    )
    op.create_index("ix_comments_author", "comments", ["author"])
    op.create_index("ix_comments_article_id", "comments", ["article_id"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("flagged_labels", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_predictions_comment_id", "predictions", ["comment_id"])
    op.create_table(
        "queue_items",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("queue", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("prediction_id", sa.Integer, sa.ForeignKey("predictions.id"), nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("uncertainty", sa.Float, nullable=False),
        sa.Column("flagged_labels", sa.Text, nullable=False),
        sa.Column("entered_at", TS, nullable=False),
        sa.CheckConstraint("queue IN ('review', 'spot_check')", name="ck_queue_items_queue"),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_queue_items_status"),
    )
    op.create_index("ix_queue_items_priority", "queue_items",
                    ["queue", "status", "priority", "comment_id"])
    op.create_index("ix_queue_items_uncertainty", "queue_items",
                    ["queue", "status", "uncertainty", "comment_id"])
    op.create_table(
        "claims",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("moderator", sa.String(200), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_claims_moderator", "claims", ["moderator"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), nullable=False),
        sa.Column("moderator", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("labels", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("queue", sa.String(20), nullable=False),
        sa.Column("model_version", sa.String(200)),
        sa.Column("reverts_id", sa.Integer, sa.ForeignKey("decisions.id"), unique=True),
        sa.Column("decided_at", TS, nullable=False),
        sa.CheckConstraint(
            "action IN ('confirm', 'override', 'relabel', 'skip', 'undo')",
            name="ck_decisions_action"),
    )
    op.create_index("ix_decisions_comment_id", "decisions", ["comment_id"])
    op.create_index("ix_decisions_moderator", "decisions", ["moderator", "id"])
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("promoted_by", sa.String(200), nullable=False),
        sa.Column("promoted_at", TS, nullable=False),
        sa.Column("metrics", sa.JSON),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "comment_sketches",
        sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id"), primary_key=True),
        sa.Column("band", sa.SmallInteger, primary_key=True),
        sa.Column("key", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_comment_sketches_key", "comment_sketches", ["key"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION moderation_decisions_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        op.execute(
            "CREATE TRIGGER decisions_no_change BEFORE UPDATE OR DELETE ON decisions "
            "FOR EACH ROW EXECUTE FUNCTION moderation_decisions_append_only()")
        op.execute(
            "CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
            "FOR EACH STATEMENT EXECUTE FUNCTION moderation_decisions_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decisions_no_{event.lower()} BEFORE {event} ON decisions "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decisions_no_truncate ON decisions")
        op.execute("DROP TRIGGER IF EXISTS decisions_no_change ON decisions")
        op.execute("DROP FUNCTION IF EXISTS moderation_decisions_append_only()")
    for table in ("comment_sketches", "model_versions", "decisions", "claims", "queue_items",
                  "predictions", "comments", "ingest_runs"):
        op.drop_table(table)
