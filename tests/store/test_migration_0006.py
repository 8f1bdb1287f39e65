"""Migration 0006 (``comments.article_snippet``) on a store at 0005 with data, on SQLite and
PostgreSQL: nothing lost, the column added in place (no table recreated), the append-only
triggers of ``comments`` untouched, a clean downgrade."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from test_migration import DATA_0001, migrate, rows, run

from moderation.store import current_revision, ensure_schema, guards, head_revision, make_engine
from moderation.store.schema import metadata

COMMENTS_APPEND_ONLY = "comments are append-only"


@pytest.fixture
def store_0005(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    migrate(db_url, "0005")
    return db_url


def columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns("comments")}
    finally:
        engine.dispose()


AUDIT_TABLES_0006 = ("comments", "predictions", "decisions", "model_versions")


def trigger_problems(url: str, tables: tuple[str, ...] = guards.AUDIT_TABLES) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return guards.problems(conn, tables)
    finally:
        engine.dispose()


def test_upgrade_adds_the_column_and_keeps_rows_and_triggers(store_0005):
    before = rows(store_0005)
    assert ensure_schema(store_0005) == head_revision()
    assert rows(store_0005) == before
    assert "article_snippet" in columns(store_0005)
    assert trigger_problems(store_0005) == []
    engine = make_engine(store_0005)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT article_snippet FROM comments").all() == [
                (None,), (None,)]
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE comments SET article_snippet = 'x'",
                                       "DELETE FROM comments WHERE external_id = 'c2'"])
def test_comments_stay_append_only(store_0005, statement):
    ensure_schema(store_0005)
    with pytest.raises(sa.exc.DBAPIError, match=COMMENTS_APPEND_ONLY):
        run(store_0005, statement)


def test_downgrade_to_0005(store_0005):
    before = rows(store_0005)
    ensure_schema(store_0005)
    migrate(store_0005, "0005", down=True)
    assert rows(store_0005) == before
    assert "article_snippet" not in columns(store_0005)
    assert trigger_problems(store_0005, AUDIT_TABLES_0006) == []
    engine = make_engine(store_0005)
    try:
        assert current_revision(engine) == "0005"
    finally:
        engine.dispose()
