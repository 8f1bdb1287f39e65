"""An audit trail no one can quietly change: hash-chained decisions, append-only audit tables.

- ``decisions.prev_hash`` and ``decisions.row_hash`` (``moderation.store.chain``), filled for
  the existing rows in id order, then NOT NULL; ``uq_decisions_prev_hash`` (one successor
  per decision, so the chain cannot fork);
- the append-only triggers of ``moderation.store.guards`` on every audit table
  (``comments``, ``predictions``, ``decisions``, ``model_versions``): on SQLite
  ``<table>_no_update``, ``<table>_no_delete`` and ``<table>_no_replace``; on PostgreSQL
  ``<table>_no_change`` and ``<table>_no_truncate`` through one function,
  ``moderation_append_only(message)``, which replaces 0001's
  ``moderation_decisions_append_only``.

The triggers of 0001/0002 on ``decisions`` are dropped first (the existing rows get their
hashes), and the new set is installed last, as ``guards.install`` defines it for this
revision. On SQLite ``decisions`` is recreated (NOT NULL and UNIQUE need it) with foreign
keys checked before the commit. Privileges of an application role are set by
``moderation db upgrade`` (``moderation.store.roles``), not here: a migration does not know
the role's name.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from moderation.store import chain, guards

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# the audit tables at this revision (0007 adds author_actions)
AUDIT_TABLES_0004 = ("comments", "predictions", "decisions", "model_versions")
APPEND_ONLY_0001 = "decisions are append-only: record an undo instead of changing a decision"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    bind = op.get_bind()
    _drop_0001_triggers()
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("row_hash", sa.String(64)))
    chain.backfill(bind)
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("row_hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_decisions_prev_hash", ["prev_hash"])
    guards.install(bind, AUDIT_TABLES_0004)


def downgrade() -> None:
    """Back to 0003: the hashes go, and 0001's triggers on ``decisions`` come back."""
    bind = op.get_bind()
    for trigger in guards.found_triggers(bind):
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger.name}")
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {guards.PG_FUNCTION}()")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("uq_decisions_prev_hash", type_="unique")
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    _create_0001_triggers()


def _drop_0001_triggers() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS decisions_no_update")
        op.execute("DROP TRIGGER IF EXISTS decisions_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS decisions_no_truncate ON decisions")
    op.execute("DROP TRIGGER IF EXISTS decisions_no_change ON decisions")
    op.execute("DROP FUNCTION IF EXISTS moderation_decisions_append_only()")


def _create_0001_triggers() -> None:
    if _sqlite():
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decisions_no_{event.lower()} BEFORE {event} ON decisions "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_0001}'); END")
        return
    op.execute(
        "CREATE FUNCTION moderation_decisions_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_0001}'; END $$")
    op.execute(
        "CREATE TRIGGER decisions_no_change BEFORE UPDATE OR DELETE ON decisions "
        "FOR EACH ROW EXECUTE FUNCTION moderation_decisions_append_only()")
    op.execute(
        "CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions "
        "FOR EACH STATEMENT EXECUTE FUNCTION moderation_decisions_append_only()")
