"""Moderator accounts, signed-in sessions and sign-in failures move into the store.

- ``moderator_accounts``: name, argon2 hash, role, failed sign-ins in a row and the time the
  account is locked until (before, a JSON file beside one UI process; now every UI process
  and a PostgreSQL deployment share them). ``moderation db upgrade`` and the first start of
  the UI import an existing moderators file (``moderation.auth.accounts.import_file``);
- ``moderator_sessions``: one row per signed-in browser: the SHA-256 of its token (the token
  itself lives only in the browser's cookie), when it started and was last seen; while a
  new session waits for its browser to collect the cookie it holds a one-time ticket until
  ``pending_until``;
- ``signin_failures``: failed sign-ins per source address in the current window, and the
  time that source is locked until (a lockout per source as well as per account).

Only new tables: the audit tables and their triggers stay as they are.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "moderator_accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", TS),
        sa.CheckConstraint("role IN ('moderator', 'admin')", name="ck_moderator_accounts_role"),
    )
    op.create_table(
        "moderator_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("moderator", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("pending_until", TS),
    )
    op.create_index("ix_moderator_sessions_moderator", "moderator_sessions", ["moderator"])
    op.create_table(
        "signin_failures",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("locked_until", TS),
    )


def downgrade() -> None:
    """Back to 0004: accounts, sessions and failure counts go (export accounts first)."""
    op.drop_table("signin_failures")
    op.drop_index("ix_moderator_sessions_moderator", table_name="moderator_sessions")
    op.drop_table("moderator_sessions")
    op.drop_table("moderator_accounts")
