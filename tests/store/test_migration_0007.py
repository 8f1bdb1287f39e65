"""Migration 0007 (``author_actions``) on a store at 0006 with data, on SQLite and PostgreSQL:
the table with its append-only triggers, the schema as the code describes it, a clean
downgrade (the table and its triggers gone, the other triggers untouched)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from test_migration import DATA_0001, migrate, rows, run
from test_migration_0006 import AUDIT_TABLES_0006, trigger_problems

from moderation.store import current_revision, ensure_schema, make_engine
from moderation.store.schema import metadata

INSERT = ("INSERT INTO author_actions (author, kind, reason, moderator, created_at) "
          "VALUES ('Іван', 'ban', 'погрози', 'olena', '2026-12-07 10:00:00')")


@pytest.fixture
def store_0006(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    migrate(db_url, "0006")
    return db_url


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_adds_the_audit_table(store_0006):
    before = rows(store_0006)
    assert ensure_schema(store_0006) == "0008"
    assert rows(store_0006) == before
    assert "author_actions" in tables(store_0006)
    assert trigger_problems(store_0006) == []
    run(store_0006, INSERT)
    for statement in ("UPDATE author_actions SET kind = 'lifted'", "DELETE FROM author_actions"):
        with pytest.raises(sa.exc.DBAPIError, match="author_actions are append-only"):
            run(store_0006, statement)
    engine = make_engine(store_0006)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_0006(store_0006):
    before = rows(store_0006)
    ensure_schema(store_0006)
    run(store_0006, INSERT)
    migrate(store_0006, "0006", down=True)
    assert rows(store_0006) == before
    assert "author_actions" not in tables(store_0006)
    assert trigger_problems(store_0006, AUDIT_TABLES_0006) == []
    engine = make_engine(store_0006)
    try:
        assert current_revision(engine) == "0006"
    finally:
        engine.dispose()
    assert ensure_schema(store_0006) == "0008" and trigger_problems(store_0006) == []
