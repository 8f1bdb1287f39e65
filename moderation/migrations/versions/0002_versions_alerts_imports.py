"""Comment versions, superseded queue items, queue alerts, imported decisions.

- ``comments.version`` (existing rows: 1); unique (external_id, version) replaces unique
  external_id: an edited comment is stored as a new row, the old one kept;
- ``queue_items.status`` also allows ``superseded``; ``queue_items.alerts`` (nullable text);
- ``decisions.action`` also allows ``import``;
- ``ingest_runs.edited`` (existing rows: 0).

On SQLite, constraints change by recreating the table (Alembic batch mode): the copy keeps
every row, the indexes and the named CHECK constraints; the unnamed UNIQUE constraint of
``comments`` is found through a naming convention. ``decisions`` loses its append-only
triggers with the old table, so they are created again on the new one. ``moderation.store.
migrate`` runs this with SQLite's foreign-key enforcement off (tables that others refer to
are dropped and renamed) and checks every foreign key before it commits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "decisions are append-only: record an undo instead of changing a decision"
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # names reflected unnamed UNIQUEs
UNIQUE_ID_VERSION = "uq_comments_external_id_version"
STATUS_CHECK = ("status IN ('open', 'done', 'superseded')", "status IN ('open', 'done')")
ACTION_CHECK = ("action IN ('confirm', 'override', 'relabel', 'skip', 'undo', 'import')",
                "action IN ('confirm', 'override', 'relabel', 'skip', 'undo')")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _old_unique_name() -> str:
    """The name of 0001's ``UNIQUE (external_id)``: PostgreSQL's default, or the convention."""
    return "uq_comments_external_id" if _sqlite() else "comments_external_id_key"


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("edited", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("comments", naming_convention=SQLITE_NAMES) as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.drop_constraint(_old_unique_name(), type_="unique")
        batch.create_unique_constraint(UNIQUE_ID_VERSION, ["external_id", "version"])
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("alerts", sa.Text))
        batch.drop_constraint("ck_queue_items_status", type_="check")
        batch.create_check_constraint("ck_queue_items_status", STATUS_CHECK[0])
    _change_action_check(ACTION_CHECK[0])


def downgrade() -> None:
    """Back to 0001; refused while the store holds what 0001 cannot (versions, imports,
    superseded items), since dropping those would lose comments or decisions."""
    bind = op.get_bind()
    kept = {
        "comment versions after the first": "SELECT count(*) FROM comments WHERE version > 1",
        "imported decisions": "SELECT count(*) FROM decisions WHERE action = 'import'",
        "superseded queue items": "SELECT count(*) FROM queue_items "
                                  "WHERE status = 'superseded'",
    }
    found = {what: bind.exec_driver_sql(sql).scalar() for what, sql in kept.items()}
    if any(found.values()):
        listed = ", ".join(f"{n} {what}" for what, n in found.items() if n)
        raise RuntimeError(f"cannot downgrade to 0001: the store holds {listed}, which 0001 "
                           "cannot store; restore a backup taken before the upgrade instead")
    _change_action_check(ACTION_CHECK[1])
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_constraint("ck_queue_items_status", type_="check")
        batch.create_check_constraint("ck_queue_items_status", STATUS_CHECK[1])
        batch.drop_column("alerts")
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint(UNIQUE_ID_VERSION, type_="unique")
        batch.create_unique_constraint(_old_unique_name(), ["external_id"])
        batch.drop_column("version")
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("edited")


def _change_action_check(check: str) -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("ck_decisions_action", type_="check")
        batch.create_check_constraint("ck_decisions_action", check)
    if _sqlite():  # the old table took its triggers with it
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS decisions_no_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER decisions_no_{event.lower()} BEFORE {event} ON decisions "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
