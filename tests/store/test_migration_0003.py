"""Migration 0003 (API keys, webhook outbox, decisions.txid, comments.parent_id) on a store
at 0002 with data, on SQLite and PostgreSQL: nothing lost, decisions still append-only,
the transaction id filled on PostgreSQL, a clean downgrade."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from test_migration import APPEND_ONLY, DATA_0001, migrate, rows, run

from moderation.store import current_revision, ensure_schema, make_engine
from moderation.store.schema import metadata


@pytest.fixture
def store_0002(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    migrate(db_url, "0002")
    return db_url


def scalar(url: str, sql: str):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql).all()
    finally:
        engine.dispose()


def test_upgrade_keeps_every_row_and_fills_txid(store_0002):
    before = rows(store_0002)
    migrate(store_0002, "0003")  # decisions written by hand here: no hash chain before 0004
    assert rows(store_0002) == before
    assert scalar(store_0002, "SELECT DISTINCT txid FROM decisions") == [(0,)]
    assert scalar(store_0002, "SELECT parent_id FROM comments") == [(None,), (None,)]
    run(store_0002, "INSERT INTO decisions (comment_id, moderator, action, labels, queue, "
                    "decided_at) VALUES (2, 'olena', 'confirm', 'insult', 'spot_check', "
                    "'2024-05-02 10:00:00+00:00')")
    (txid,), = scalar(store_0002, "SELECT txid FROM decisions ORDER BY id DESC LIMIT 1")
    engine = make_engine(store_0002)
    try:
        if engine.dialect.name == "postgresql":  # the writing transaction's id
            assert txid > 0
        else:  # SQLite's writers are serialised: ids are in commit order
            assert txid == 0
    finally:
        engine.dispose()
    ensure_schema(store_0002)
    engine = make_engine(store_0002)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", ["UPDATE decisions SET labels = ''",
                                       "DELETE FROM decisions"])
def test_decisions_stay_append_only(store_0002, statement):
    ensure_schema(store_0002)
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(store_0002, statement)


def test_downgrade_to_0002(store_0002):
    before = rows(store_0002)
    ensure_schema(store_0002)
    run(store_0002, "INSERT INTO api_keys (name, key_id, key_hash, scopes, created_at) VALUES "
                    "('site', 'abc', 'h', 'score', '2024-05-02 10:00:00+00:00')")
    migrate(store_0002, "0002", down=True)
    assert rows(store_0002) == before
    engine = make_engine(store_0002)
    try:
        assert current_revision(engine) == "0002"
        tables = sa.inspect(engine).get_table_names()
        assert "api_keys" not in tables and "webhook_outbox" not in tables
    finally:
        engine.dispose()
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(store_0002, "DELETE FROM decisions")
