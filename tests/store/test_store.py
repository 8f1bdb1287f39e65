"""The store: migrations, SQLite pragmas, append-only decisions, clear errors."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from moderation.cli import main
from moderation.errors import StoreError
from moderation.store import chain, current_revision, ensure_schema, head_revision, make_engine
from moderation.store.schema import comments, decisions, metadata, utcnow


def test_migrated_schema_matches_the_tables(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(store.engine) == head_revision()


def test_ensure_schema_is_idempotent_and_safe_in_parallel(db_url):
    errors = []

    def upgrade():
        try:
            ensure_schema(db_url)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, [repr(e.__cause__ or e) for e in errors]
    assert ensure_schema(db_url) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    from moderation.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.dispose()


def _one_decision(store) -> int:
    with store.write() as conn:
        cid = conn.execute(comments.insert().values(
            external_id="x", text="t", lang="uk", ingested_at=utcnow()).returning(comments.c.id)
        ).scalar_one()
        row, = chain.append(conn, [dict(
            comment_id=cid, moderator="m", action="confirm", labels="insult", note=None,
            queue="review", model_version=None, reverts_id=None, decided_at=utcnow())])
        return row.id


@pytest.mark.parametrize("statement", [
    decisions.update().values(labels=""),
    decisions.delete(),
])
def test_decisions_are_append_only(store, statement):
    _one_decision(store)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.write() as conn:
        conn.execute(statement)
    with store.read() as conn:
        assert conn.execute(sa.select(decisions.c.labels)).scalar_one() == "insult"


def test_bad_urls_give_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("no such thing")
    with pytest.raises(StoreError, match="file path"):
        make_engine("sqlite://")
    with pytest.raises(StoreError, match="cannot prepare the comment store"):
        ensure_schema("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_db_upgrade_and_current_commands(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "current", "--db", url]) == 1
    assert "none (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", url]) == 0
    assert head_revision() in capsys.readouterr().out
    assert main(["db", "current", "--db", url]) == 0
    assert "(newest)" in capsys.readouterr().out
