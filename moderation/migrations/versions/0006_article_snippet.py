"""The article's opening line beside each comment, for the review queue's context.

- ``comments.article_snippet``: the opening line (lead) of the article a comment was posted
  under, as the site sends it, so a moderator sees what the comment is about.

Only a column is added (``ALTER TABLE ... ADD COLUMN``, no table is recreated), so the
append-only triggers on ``comments`` stay as they are, on SQLite too.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("article_snippet", sa.Text))


def downgrade() -> None:
    """Back to 0005: the opening lines go (the comments stay)."""
    # native DROP COLUMN (SQLite >= 3.35): recreating comments would drop its triggers
    op.execute("ALTER TABLE comments DROP COLUMN article_snippet")
