"""Migrations 0002 to 0004 on a store with data, on SQLite and PostgreSQL: nothing lost, the new
constraints in force, decisions still append-only, foreign keys still enforced."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from moderation.errors import StoreError
from moderation.store import current_revision, ensure_schema, head_revision, make_engine
from moderation.store.engine import Store
from moderation.store.migrate import alembic_config
from moderation.store.schema import metadata

T = "'2024-05-01 10:00:00+00:00'"
# a store at revision 0001 as a running site has it: two comments, one decided and undone
# and decided again, one open and claimed, a promotion, sketches, an ingest run
DATA_0001 = [
    "INSERT INTO ingest_runs (source, model_version, started_at, read, stored) "
    f"VALUES ('a.csv', 'm1', {T}, 2, 2)",
    "INSERT INTO comments (external_id, author, text, lang, ingested_at, ingest_run_id) "
    f"VALUES ('c1', 'Іван', 'Ти дурень', 'uk', {T}, 1), "
    f"('c2', 'Оля', 'Дякую', 'uk', {T}, 1)",
    "INSERT INTO predictions (comment_id, model_version, scores, flagged_labels, "
    f"created_at) VALUES (1, 'm1', '{{\"insult\": 0.9}}', 'insult', {T}), "
    f"(2, 'm1', '{{\"insult\": 0.1}}', '', {T})",
    "INSERT INTO queue_items (comment_id, queue, status, prediction_id, priority, "
    f"uncertainty, flagged_labels, entered_at) VALUES (1, 'review', 'done', 1, 0.9, 0.4, "
    f"'insult', {T}), (2, 'spot_check', 'open', 2, 0.1, 0.4, '', {T})",
    f"INSERT INTO claims (comment_id, moderator, claimed_at, expires_at) VALUES "
    f"(2, 'petro', {T}, {T})",
    "INSERT INTO decisions (comment_id, moderator, action, labels, queue, reverts_id, "
    f"decided_at) VALUES (1, 'olena', 'confirm', 'insult', 'review', NULL, {T})",
    "INSERT INTO decisions (comment_id, moderator, action, labels, queue, reverts_id, "
    f"decided_at) VALUES (1, 'olena', 'undo', NULL, 'review', 1, {T})",
    "INSERT INTO decisions (comment_id, moderator, action, labels, queue, reverts_id, "
    f"decided_at) VALUES (1, 'olena', 'relabel', 'insult;improper', 'review', NULL, {T})",
    "INSERT INTO model_versions (version, promoted_by, promoted_at) VALUES "
    f"('m1', 'olena', {T})",
    "INSERT INTO comment_sketches (comment_id, band, key) VALUES (1, 0, 11), (1, 1, 12), "
    "(2, 0, 21)",
]
# comment_sketches is derived from the comments (0007 recomputes it): not compared here
TABLES = ("ingest_runs", "comments", "predictions", "queue_items", "claims", "decisions",
          "model_versions")
APPEND_ONLY = "append-only"


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    """Move the store at ``url`` to ``revision`` as ``ensure_schema`` runs migrations."""
    engine = make_engine(url)
    store = Store(engine, claim_minutes=0)
    try:
        with store.write(migration=True) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
    finally:
        engine.dispose()


def run(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with Store(engine, claim_minutes=0).write() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, ordered, with the columns revision 0001 has."""
    engine = make_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            for table in TABLES:
                columns = [c["name"] for c in sa.inspect(conn).get_columns(table)
                           if c["name"] not in ("version", "alerts", "edited", "parent_id",
                                                "txid", "prev_hash", "row_hash",
                                                "article_snippet")]
                out[table] = [tuple(r) for r in conn.exec_driver_sql(
                    f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1, 2")]
    finally:
        engine.dispose()
    return out


@pytest.fixture
def store_0001(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    return db_url


def test_upgrade_keeps_every_row(store_0001):
    before = rows(store_0001)
    assert ensure_schema(store_0001) == head_revision() == "0008"
    assert rows(store_0001) == before
    engine = make_engine(store_0001)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT external_id, version FROM comments "
                                        "ORDER BY id").all() == [("c1", 1), ("c2", 1)]
            assert conn.exec_driver_sql("SELECT alerts FROM queue_items").scalars().all() == [
                None, None]
            assert conn.exec_driver_sql("SELECT edited FROM ingest_runs").scalar() == 0
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE decisions SET labels = ''",
    "DELETE FROM decisions",
    "DELETE FROM decisions WHERE action = 'relabel'",
])
def test_decisions_stay_append_only_after_the_upgrade(store_0001, statement):
    ensure_schema(store_0001)
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(store_0001, statement)
    assert len(rows(store_0001)["decisions"]) == 3


def test_new_values_are_allowed_and_others_refused(store_0001):
    migrate(store_0001, "0003")  # decisions written by hand here: no hash chain before 0004
    run(store_0001,
        "INSERT INTO comments (external_id, version, text, lang, ingested_at) VALUES "
        f"('c1', 2, 'Ти молодець', 'uk', {T})",
        "UPDATE queue_items SET status = 'superseded', alerts = 'bidi' WHERE comment_id = 2",
        "INSERT INTO decisions (comment_id, moderator, action, labels, queue, decided_at) "
        f"VALUES (3, 'olena', 'import', '', 'import', {T})")
    refused = {
        # the same version of an external id twice
        "INSERT INTO comments (external_id, version, text, lang, ingested_at) VALUES "
        f"('c1', 2, 'x', 'uk', {T})": "external_id",
        "UPDATE queue_items SET status = 'lost' WHERE comment_id = 2": "ck_queue_items_status",
        "INSERT INTO decisions (comment_id, moderator, action, labels, queue, decided_at) "
        f"VALUES (3, 'olena', 'delete', '', 'review', {T})": "ck_decisions_action",
        # foreign keys are enforced again after the migration (SQLite turned them off)
        "INSERT INTO predictions (comment_id, model_version, scores, flagged_labels, "
        f"created_at) VALUES (99, 'm', '{{}}', '', {T})": "(?i)foreign key",
    }
    for statement, reason in refused.items():
        with pytest.raises(sa.exc.IntegrityError, match=reason):
            run(store_0001, statement)


def test_sqlite_connections_enforce_foreign_keys_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    migrate(url, "0001")
    run(url, *DATA_0001)
    engine = make_engine(url)
    try:
        ensure_schema(engine)  # the same pool serves the next connections
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_a_broken_reference_stops_the_upgrade_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    migrate(url, "0001")
    run(url, *DATA_0001)
    raw = make_engine(url)
    with raw.connect() as conn:  # a row whose comment is gone, as an old bug could leave it
        conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        conn.connection.driver_connection.execute(
            "INSERT INTO predictions (comment_id, model_version, scores, flagged_labels, "
            f"created_at) VALUES (42, 'm1', '{{}}', '', {T})")
    raw.dispose()
    with pytest.raises(StoreError, match="broken references.*predictions"):
        ensure_schema(url)
    engine = make_engine(url)
    try:
        assert current_revision(engine) == "0001"  # rolled back whole
        with engine.connect() as conn:
            assert "version" not in {c["name"] for c in sa.inspect(conn).get_columns("comments")}
    finally:
        engine.dispose()


def test_downgrade_back_to_0001(store_0001):
    before = rows(store_0001)
    ensure_schema(store_0001)
    migrate(store_0001, "0001", down=True)
    assert rows(store_0001) == before
    with pytest.raises(sa.exc.IntegrityError, match="external_id"):  # unique again
        run(store_0001, "INSERT INTO comments (external_id, text, lang, ingested_at) VALUES "
                        f"('c1', 'x', 'uk', {T})")
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(store_0001, "DELETE FROM decisions")


def test_downgrade_is_refused_while_versions_exist(store_0001):
    ensure_schema(store_0001)
    run(store_0001, "INSERT INTO comments (external_id, version, text, lang, ingested_at) "
                    f"VALUES ('c1', 2, 'Ти молодець', 'uk', {T})")
    with pytest.raises(RuntimeError, match="1 comment versions after the first"):
        migrate(store_0001, "0001", down=True)
    engine = make_engine(store_0001)
    try:
        assert current_revision(engine) == head_revision()  # rolled back whole
    finally:
        engine.dispose()
