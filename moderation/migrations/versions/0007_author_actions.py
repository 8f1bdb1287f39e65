"""Author actions: watch, pre-moderate, ban (and lift), with a reason and an expiry.

- ``author_actions``: one row per change a moderator makes about an author; the latest
  unexpired row of an author is in force (``moderation.queue.authors``). An audit table:
  the append-only triggers of ``moderation.store.guards`` are installed on it (on SQLite
  ``author_actions_no_update``, ``_no_delete``, ``_no_replace``; on PostgreSQL
  ``author_actions_no_change`` and ``_no_truncate``), and ``moderation db upgrade`` gives an
  application role SELECT and INSERT on it only (``moderation.store.roles``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from moderation.store import guards
from moderation.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUDIT_TABLES_0007 = ("comments", "predictions", "decisions", "model_versions",
                     "author_actions")


def upgrade() -> None:
    op.create_table(
        "author_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("moderator", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("kind IN ('watch', 'premoderate', 'ban', 'lifted')",
                           name="ck_author_actions_kind"),
    )
    op.create_index("ix_author_actions_author", "author_actions", ["author", "id"])
    guards.install(op.get_bind(), AUDIT_TABLES_0007)


def downgrade() -> None:
    """Back to 0006: the author actions go, with their triggers."""
    bind = op.get_bind()
    for trigger in guards.found_triggers(bind):
        if trigger.table != "author_actions":
            continue
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger.name}")
    op.drop_index("ix_author_actions_author", table_name="author_actions")
    op.drop_table("author_actions")
