"""Append-only in fact: no statement the application's connection can run changes or removes a
row of an audit table, on SQLite (triggers, recursive_triggers, the authorizer) and on
PostgreSQL (an application role with SELECT and INSERT only; triggers against the owner)."""
from __future__ import annotations

import json
import sqlite3

import pytest
import sqlalchemy as sa
from databases import drop_pg_schema, drop_two_roles, make_two_roles, pg_schema_url
from helpers import KeywordModel, write_csv

from moderation.learning.promotions import record_promotion
from moderation.store.migrate import head_revision
from moderation.queue import decide, next_item, release, undo
from moderation.queue.authors import set_author_action
from moderation.queue.imports import import_decisions
from moderation.queue.ingest import ingest_file
from moderation.site.keys import add_key, revoke_key
from moderation.site.webhooks import Outcome, deliver_pending
from moderation.store import make_engine, open_store
from moderation.store.guards import AUDIT_TABLES
from moderation.store.migrate import upgrade_store
from moderation.store.roles import APP_PRIVILEGES, expected_tables
from moderation.store.verify import verify_store

ROWS = [{"id": f"c{i}", "text": f"Ти дурень номер {i}"} for i in range(4)]
# a row of each audit table, and the values an attacker would like to write over them
DECISION = ("(1, 1, 'mallory', 'override', '', NULL, 'review', NULL, NULL, "
            "'2024-05-01 10:00:00', 0, 'x', 'y')")


def fill(store, tmp_path) -> None:
    """Comments, scores, decisions (confirm, undo, override) and a promotion."""
    ingest_file(store, write_csv(tmp_path / "in.csv", ROWS), KeywordModel(), spot_check_rate=0)
    for action in ("confirm", "confirm"):
        item = next_item(store, "olena")
        decide(store, item.comment.id, "olena", action, note="перше")
    undo(store, "olena")
    decide(store, next_item(store, "olena").comment.id, "olena", "override")
    record_promotion(store, "keyword-1", "olena", note="initial")
    set_author_action(store, "olena", "Іван", "ban", "погрози")


def snapshot(store) -> dict[str, list[tuple]]:
    with store.read() as conn:
        return {table: [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT * FROM {table} ORDER BY id")] for table in AUDIT_TABLES}


@pytest.fixture
def filled(store, tmp_path):
    fill(store, tmp_path)
    return store


def attempt(store, statement: str) -> Exception:
    """Run ``statement`` in a write transaction of the application's store; the error."""
    with pytest.raises(sa.exc.DBAPIError) as caught, store.write() as conn:
        conn.exec_driver_sql(statement)
    return caught.value


# ------------------------------------------------------------------ both databases


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_update_and_delete_are_refused_on_every_audit_table(filled, table):
    before = snapshot(filled)
    column = {"comments": "text", "predictions": "model_version", "decisions": "labels",
              "model_versions": "note", "author_actions": "reason"}[table]
    for statement in (f"UPDATE {table} SET {column} = 'змінено'",
                      f"UPDATE {table} SET {column} = 'змінено' WHERE id = 1",
                      f"DELETE FROM {table} WHERE id = 1",
                      f"DELETE FROM {table}"):  # no WHERE: SQLite's truncate optimisation
        assert "append-only" in str(attempt(filled, statement))
    assert snapshot(filled) == before
    assert verify_store(filled).ok


def test_upsert_is_refused(filled):
    before = snapshot(filled)
    upsert = ("INSERT INTO decisions (id, comment_id, moderator, action, labels, queue, "
              "decided_at, prev_hash, row_hash) VALUES (1, 1, 'mallory', 'override', '', "
              "'review', '2024-05-01 10:00:00+00', 'x', 'y') ON CONFLICT (id) DO UPDATE SET "
              "labels = excluded.labels, moderator = excluded.moderator")
    assert "append-only" in str(attempt(filled, upsert))
    assert snapshot(filled) == before


def test_the_application_still_works_after_refusals(filled, tmp_path):
    attempt(filled, "DELETE FROM decisions")
    item = next_item(filled, "taras")
    decide(filled, item.comment.id, "taras", "confirm")
    assert verify_store(filled).ok


# ------------------------------------------------------------------ SQLite


@pytest.fixture
def sqlite_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}")
    fill(store, tmp_path)
    yield store
    store.dispose()


@pytest.mark.parametrize("statement", [
    f"INSERT OR REPLACE INTO decisions VALUES {DECISION}",
    f"REPLACE INTO decisions VALUES {DECISION}",
    "INSERT OR REPLACE INTO comments (id, external_id, version, text, lang, ingested_at) "
    "VALUES (1, 'c0', 1, 'інший текст', 'uk', '2024-05-01 10:00:00')",
    # a new id, but the text of comment c0 version 1: REPLACE would delete the old row
    "INSERT OR REPLACE INTO comments (external_id, version, text, lang, ingested_at) "
    "VALUES ('c0', 1, 'інший текст', 'uk', '2024-05-01 10:00:00')",
    "INSERT OR REPLACE INTO predictions (id, comment_id, model_version, scores, "
    "flagged_labels, created_at) VALUES (1, 1, 'm', '{}', '', '2024-05-01 10:00:00')",
    "INSERT OR REPLACE INTO model_versions (id, version, promoted_by, promoted_at) "
    "VALUES (1, 'evil', 'mallory', '2024-05-01 10:00:00')",
    "INSERT OR REPLACE INTO author_actions (id, author, kind, reason, moderator, created_at) "
    "VALUES (1, 'Іван', 'lifted', 'помилка', 'mallory', '2024-05-01 10:00:00')",
])
def test_sqlite_replace_is_refused(sqlite_store, statement):
    before = snapshot(sqlite_store)
    assert "append-only" in str(attempt(sqlite_store, statement))
    assert snapshot(sqlite_store) == before


def test_sqlite_connections_fire_delete_triggers_on_replace(sqlite_store):
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1


@pytest.mark.parametrize("statement", [
    "DROP TRIGGER decisions_no_update",
    "DROP TRIGGER decisions_no_delete",
    "DROP TABLE decisions",
    "DROP TABLE comments",
    "ALTER TABLE decisions RENAME TO old_decisions",
    "ALTER TABLE decisions ADD COLUMN changed TEXT",
    "ALTER TABLE decisions DROP COLUMN note",
    "CREATE TEMP TRIGGER quiet BEFORE INSERT ON decisions BEGIN SELECT RAISE(IGNORE); END",
    "CREATE TRIGGER quiet BEFORE INSERT ON decisions BEGIN SELECT RAISE(IGNORE); END",
    "PRAGMA recursive_triggers = OFF",
    "PRAGMA writable_schema = ON",
    "ATTACH DATABASE ':memory:' AS other",
])
def test_sqlite_schema_changes_are_refused_outside_migrations(sqlite_store, statement):
    """SQLite has no roles; the store's connections refuse what would get round the
    triggers (the equivalent of disabling a trigger, ALTER and DROP)."""
    before = snapshot(sqlite_store)
    assert "not authorized" in str(attempt(sqlite_store, statement))
    assert snapshot(sqlite_store) == before
    assert verify_store(sqlite_store).ok
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1


def test_sqlite_replace_from_outside_is_refused_too(sqlite_store):
    """A plain sqlite3 connection (no recursive_triggers, no authorizer): the BEFORE INSERT
    trigger still refuses a row whose key is taken."""
    path = sqlite_store.engine.url.database
    before = snapshot(sqlite_store)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(f"INSERT OR REPLACE INTO decisions VALUES {DECISION}")
        taken = raw.execute("SELECT reverts_id FROM decisions WHERE reverts_id IS NOT NULL"
                            ).fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("INSERT OR REPLACE INTO decisions (comment_id, moderator, action, "
                        "queue, reverts_id, decided_at, prev_hash, row_hash) VALUES (1, 'm', "
                        f"'undo', 'review', {taken}, '2024-05-01 10:00:00', 'p', 'r')")
    assert snapshot(sqlite_store) == before


def test_sqlite_migrations_may_change_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    try:
        from moderation.store.engine import Store

        store = Store(engine, claim_minutes=1)
        with store.write(migration=True) as conn:
            conn.exec_driver_sql("CREATE TABLE scratch (x)")
            conn.exec_driver_sql("DROP TABLE scratch")
        assert "not authorized" in str(attempt(store, "CREATE TABLE scratch (x)"))
    finally:
        engine.dispose()


# ------------------------------------------------------------------ PostgreSQL roles


@pytest.fixture
def roles(tmp_path):
    """A store set up as docs/operations.md says: migrated by the owner role, which grants
    the application role its privileges; filled through the application role."""
    two = make_two_roles()
    try:
        done = upgrade_store(two.owner_url, app_role=two.app)
        assert done.app_role == two.app and done.revision == head_revision()
        store = open_store(two.app_url)
        try:
            fill(store, tmp_path)
            yield two, store
        finally:
            store.dispose()
    finally:
        drop_two_roles(two)


REFUSED_FOR_THE_APP = [
    "UPDATE decisions SET labels = ''",
    "DELETE FROM decisions",
    "DELETE FROM decisions WHERE id = 1",
    "INSERT INTO decisions (id, comment_id, moderator, action, labels, queue, decided_at, "
    "prev_hash, row_hash) VALUES (1, 1, 'mallory', 'override', '', 'review', now(), 'x', 'y') "
    "ON CONFLICT (id) DO UPDATE SET labels = excluded.labels",
    "TRUNCATE decisions",
    "TRUNCATE decisions CASCADE",
    "ALTER TABLE decisions DISABLE TRIGGER USER",
    "ALTER TABLE decisions DISABLE TRIGGER decisions_no_change",
    "ALTER TABLE decisions DISABLE TRIGGER ALL",
    "ALTER TABLE decisions ADD COLUMN changed text",
    "ALTER TABLE decisions DROP COLUMN note",
    "ALTER TABLE decisions RENAME TO old_decisions",
    "DROP TRIGGER decisions_no_change ON decisions",
    "DROP TABLE decisions",
    "DROP TABLE decisions CASCADE",
    "DROP FUNCTION moderation_append_only() CASCADE",
    "CREATE OR REPLACE FUNCTION moderation_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER quiet BEFORE INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION "
    "suppress_redundant_updates_trigger()",
    "SELECT id FROM decisions FOR UPDATE",
    "UPDATE comments SET text = 'змінено'",
    "DELETE FROM comments",
    "TRUNCATE comments CASCADE",
    "UPDATE predictions SET scores = '{}'",
    "DELETE FROM model_versions",
    "TRUNCATE model_versions",
    "CREATE TABLE extra (x int)",
]


@pytest.mark.postgres
def test_the_application_role_cannot_change_the_audit_trail(roles):
    two, store = roles
    before = snapshot(store)
    for statement in REFUSED_FOR_THE_APP:
        error = attempt(store, statement)
        assert getattr(error.orig, "sqlstate", None) == "42501", (statement, error)
    with pytest.raises(sa.exc.DBAPIError, match="permission denied"), store.write() as conn:
        conn.exec_driver_sql(f"SET ROLE {two.owner}")
    assert snapshot(store) == before
    report = verify_store(store)
    assert report.ok and not report.warnings, report.lines()
    assert report.app_role == two.app


@pytest.mark.postgres
def test_the_application_role_runs_the_whole_application(roles, tmp_path):
    """Everything the application does works with the privileges it is given: ingest with
    edits, claims, decisions, undo, imports, promotions, API keys, webhook delivery, author
    actions (under their advisory lock)."""
    _, store = roles
    set_author_action(store, "olena", "Петро", "watch", "нагляд")
    edited = [{"id": "c0", "text": "Ти дурень, виправлено"}, {"id": "n1", "text": "Новий"}]
    assert ingest_file(store, write_csv(tmp_path / "e.csv", edited), KeywordModel(),
                       spot_check_rate=1).edited == 1
    item = next_item(store, "taras")
    decide(store, item.comment.id, "taras", "relabel", ["insult"])
    next_item(store, "taras")
    release(store, "taras")
    history = write_csv(tmp_path / "h.csv", [{"id": "n1", "labels": ""}])
    assert import_decisions(store, history, "ops").imported == 1
    record_promotion(store, "keyword-2", "olena")
    add_key(store, "site", "score")
    revoke_key(store, "site")
    run = deliver_pending(store, url="http://127.0.0.1:9/hook", secret="s" * 32,
                          send=lambda *args: Outcome(True, 200))
    assert run.delivered >= 4
    assert verify_store(store).ok


@pytest.mark.postgres
def test_the_owner_is_stopped_by_the_triggers(roles):
    """The owner may do anything the schema allows, but the triggers refuse changes."""
    two, store = roles
    owner = open_store(two.owner_url)
    try:
        for statement in ("UPDATE decisions SET labels = ''", "DELETE FROM decisions",
                          "TRUNCATE decisions CASCADE", "TRUNCATE comments CASCADE",
                          "UPDATE model_versions SET note = 'x'"):
            assert "append-only" in str(attempt(owner, statement)), statement
    finally:
        owner.dispose()


@pytest.mark.postgres
def test_verify_names_excess_and_missing_privileges(roles):
    two, store = roles
    from databases import admin

    admin(f"GRANT UPDATE, TRUNCATE ON {two.schema}.decisions TO {two.app}")
    admin(f"REVOKE INSERT ON {two.schema}.queue_items FROM {two.app}")
    admin(f"GRANT DELETE ON {two.schema}.webhook_outbox TO {two.app}")
    report = verify_store(two.owner_url, app_role=two.app)
    problems = [f.message for f in report.problems if f.check == "privileges"]
    assert any(f"{two.app} may TRUNCATE, UPDATE on decisions" in p for p in problems)
    assert any(f"{two.app} may not INSERT on queue_items" in p for p in problems)
    assert [w.message for w in report.warnings] == [
        f"{two.app} may DELETE on webhook_outbox, more than the application needs"]
    again = upgrade_store(two.owner_url, app_role=two.app)  # sets them right again
    assert again.repaired == ()
    assert verify_store(two.owner_url, app_role=two.app).ok


@pytest.mark.postgres
def test_one_role_for_everything_is_a_warning():
    """The test server's superuser: the triggers are all that protects the record."""
    url, schema = pg_schema_url()
    store = open_store(url)
    try:
        report = verify_store(store)
    finally:
        store.dispose()
        drop_pg_schema(schema)
    assert report.ok
    assert [w.check for w in report.warnings] == ["privileges"]
    assert "superuser" in report.warnings[0].message


def test_every_table_has_its_privileges_decided():
    assert set(APP_PRIVILEGES) == expected_tables()
    for table in AUDIT_TABLES:
        assert APP_PRIVILEGES[table] == ("SELECT", "INSERT")


@pytest.mark.postgres
def test_db_upgrade_as_the_owner_grants_the_application_role(monkeypatch, capsys):
    """docs/operations.md: MODERATION_DB_OWNER_URL for `db upgrade`, MODERATION_DB_URL (the
    application's role) for everything else; the application's role cannot migrate."""
    from moderation.cli import main
    from moderation.errors import StoreError

    two = make_two_roles()
    try:
        monkeypatch.setenv("MODERATION_DB_URL", two.app_url)
        monkeypatch.setenv("MODERATION_DB_OWNER_URL", two.owner_url)
        with pytest.raises(StoreError, match="this role may not make.*MODERATION_DB_OWNER_URL"):
            open_store(two.app_url)  # an empty schema it may not create tables in
        assert main(["db", "upgrade"]) == 0
        out = capsys.readouterr().out
        assert f"privileges of {two.app} set" in out
        assert "decisions: SELECT, INSERT" in out and "claims: SELECT, INSERT, UPDATE, " \
                                                     "DELETE" in out
        assert main(["db", "verify"]) == 0  # as the application's role
        assert "verify: OK" in capsys.readouterr().out
        assert main(["db", "verify", "--db", two.owner_url, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["app_role"] == two.app  # not the owner
    finally:
        drop_two_roles(two)
