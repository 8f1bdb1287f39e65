"""Backups restore to the same store: SQLite through the online backup API while the store is
in use, PostgreSQL through pg_dump / pg_restore into another database (docs/operations.md).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from databases import PG_URL, admin, drop_pg_schema, drop_two_roles, make_two_roles, pg_schema_url
from helpers import write_csv

from moderation.cli import main
from moderation.errors import StoreError
from moderation.queue import decide, next_item, stats, undo
from moderation.queue.export import decisions_frame
from moderation.queue.ingest import ingest_file
from moderation.store import current_revision, head_revision, open_store
from moderation.store.backup import backup_sqlite, libpq_url, restore_sqlite
from moderation.store.migrate import upgrade_store
from moderation.store.schema import metadata
from moderation.store.verify import verify_store

ROWS = [
    {"id": "a", "text": "Ти дурень", "author": "Петро", "article_title": "Міст"},
    {"id": "b", "text": "Голосуйте за Петренка #0.8", "author": "<b>Іван</b>",
     "article_title": "Вибори"},
    {"id": "c", "text": "Реклама в telegram, знижка #0.7", "author": "shop"},
    {"id": "d", "text": "Сусід вкрав паркан #0.6", "author": "Петро", "article_title": "Міст"},
    {"id": "e", "text": "ідіот <script>alert(1)</script>", "author": "x"},
    {"id": "f", "text": "Дякую за новину", "author": "Оля"},
]
TABLES = [t.name for t in metadata.sorted_tables] + ["alembic_version"]


def fill(store, model, tmp_path) -> None:
    """Ingest ROWS and take decisions of every kind (the undo leaves one comment open)."""
    ingest_file(store, write_csv(tmp_path / "in.csv", ROWS), model, spot_check_rate=0)
    for action, labels in (("confirm", None), ("override", None), ("relabel", ["insult"]),
                           ("skip", None), ("confirm", None)):
        item = next_item(store, "olena")
        decide(store, item.comment.id, "olena", action, labels, note="<i>нотатка</i>")
    undo(store, "olena")


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine, only=TABLES)
        out = {}
        with engine.connect() as conn:
            for name in TABLES:
                table = meta.tables[name]
                order = list(table.primary_key.columns) or list(table.columns)
                out[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
        return out
    finally:
        engine.dispose()


def counts(snap: dict[str, list[tuple]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snap.items()}


def app_works(url: str, expected: dict[str, list[tuple]], model, tmp_path) -> None:
    """The restored store is usable by the app: schema at head, queue, stats, export, the
    append-only trigger; new rows get fresh ids."""
    store = open_store(url)
    try:
        assert current_revision(store.engine) == head_revision()
        assert len(decisions_frame(store)) == 3  # confirm, override, relabel in force
        assert stats(store).open["review"] == 2  # the skipped one and the undone one
        item = next_item(store, "taras")
        assert item is not None
        decide(store, item.comment.id, "taras", "override")
        ingest_file(store, write_csv(tmp_path / "more.csv", [{"id": "g", "text": "ідіот"}]),
                    model, spot_check_rate=0)
        after = snapshot(url)
        assert len(after["decisions"]) == len(expected["decisions"]) + 1
        assert len(after["comments"]) == len(expected["comments"]) + 1
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.write() as conn:
            conn.execute(sa.text("UPDATE decisions SET note = 'changed'"))
    finally:
        store.dispose()


# --------------------------------------------------------------------------- SQLite


def test_sqlite_backup_while_in_use_and_restore(tmp_path, keyword_model, capsys):
    db = tmp_path / "live" / "moderation.db"
    url = f"sqlite:///{db}"
    store = open_store(url)
    fill(store, keyword_model, tmp_path)
    expected = snapshot(url)
    assert counts(expected)["decisions"] == 6 and counts(expected)["comments"] == 6
    # the store is open and its latest commits are still in the WAL: a plain copy of the
    # main file would not hold them
    assert db.with_name(db.name + "-wal").stat().st_size > 0
    plain = tmp_path / "plain-copy.db"
    shutil.copyfile(db, plain)
    with sqlite3.connect(plain) as conn:
        try:
            in_copy = conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
        except sqlite3.OperationalError:  # not even the table reached the main file
            in_copy = 0
    assert in_copy < len(expected["decisions"])

    # another process is in the middle of a write transaction during the backup
    writer = sqlite3.connect(db, isolation_level=None, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO ingest_runs (source, model_version, started_at) "
                   "VALUES ('uncommitted', 'x', '2024-01-01 00:00:00')")
    out = tmp_path / "backups" / "moderation-backup.db"
    assert main(["db", "backup", "--db", url, "--output", str(out)]) == 0
    assert "backed up to" in capsys.readouterr().out
    writer.execute("ROLLBACK")
    writer.close()

    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert not out.with_name(out.name + "-wal").exists()  # one self-contained file
    assert snapshot(f"sqlite:///{out}") == expected  # committed state only, row for row
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp file left

    # the moderators go on working after the backup ...
    decide(store, next_item(store, "olena").comment.id, "olena", "override")
    assert len(snapshot(url)["decisions"]) == 7
    store.dispose()

    # ... restore into a new store file
    fresh = f"sqlite:///{tmp_path / 'restored' / 'moderation.db'}"
    restore_sqlite(out, fresh)
    assert snapshot(fresh) == expected
    app_works(fresh, expected, keyword_model, tmp_path)

    # ... and over the live store (app stopped): back to the backup's state, WAL and all
    restore_sqlite(out, url)
    assert snapshot(url) == expected
    app_works(url, expected, keyword_model, tmp_path)


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
def test_sqlite_shell_backup_and_restore_give_the_same_store(tmp_path, keyword_model):
    """The `sqlite3 ... .backup` / `.restore` commands in docs/operations.md."""
    db = tmp_path / "moderation.db"
    store = open_store(f"sqlite:///{db}")
    fill(store, keyword_model, tmp_path)
    expected = snapshot(f"sqlite:///{db}")
    out = tmp_path / "shell-backup.db"
    subprocess.run(["sqlite3", str(db), f".backup '{out}'"], check=True, timeout=30)
    store.dispose()
    assert snapshot(f"sqlite:///{out}") == expected
    target = tmp_path / "target.db"
    subprocess.run(["sqlite3", str(target), f".restore '{out}'"], check=True, timeout=30)
    assert snapshot(f"sqlite:///{target}") == expected
    app_works(f"sqlite:///{target}", expected, keyword_model, tmp_path)


def test_backup_refuses_what_it_cannot_do(tmp_path):
    with pytest.raises(StoreError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://u@h/db", tmp_path / "x.db")
    with pytest.raises(StoreError, match="no SQLite store"):
        backup_sqlite(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")
    db = tmp_path / "s.db"
    open_store(f"sqlite:///{db}").dispose()
    with pytest.raises(StoreError, match="the store itself"):
        backup_sqlite(f"sqlite:///{db}", db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        restore_sqlite(junk, f"sqlite:///{tmp_path / 'target.db'}")
    assert not (tmp_path / "target.db").exists()  # nothing written for a bad backup
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="not a comment store"):
        restore_sqlite(other, f"sqlite:///{tmp_path / 'target.db'}")
    assert libpq_url("postgresql+psycopg://u:p@h:5433/db") == "postgresql://u:p@h:5433/db"


# --------------------------------------------------------------------------- PostgreSQL


def _pg_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{' and '.join(missing)} not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.postgres
def test_postgres_dump_and_restore_into_another_database(tmp_path, keyword_model):
    _pg_tools()
    url, schema = pg_schema_url()  # fails under CI=true when the server is unreachable
    restored_db = f"restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    store = open_store(url)
    try:
        fill(store, keyword_model, tmp_path)
        expected = snapshot(url)
        assert counts(expected)["decisions"] == 6
        dump = tmp_path / "moderation.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}",
                        f"--dbname={libpq_url(PG_URL)}"], check=True, timeout=60,
                       capture_output=True)
        # the moderators go on working after the dump: the restore must not have it
        decide(store, next_item(store, "olena").comment.id, "olena", "override")
        store.dispose()

        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{restored_db}"')
        target = sa.make_url(PG_URL).set(database=restored_db)
        done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                               f"--dbname={libpq_url(target.render_as_string(False))}",
                               str(dump)], check=False, timeout=60, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        restored = target.update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
        assert snapshot(restored) == expected
        assert counts(snapshot(restored)) == counts(expected)
        app_works(restored, expected, keyword_model, tmp_path)
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
        admin.dispose()
        drop_pg_schema(schema)


@pytest.mark.postgres
def test_postgres_restore_is_verified_before_use(tmp_path, keyword_model):
    """docs/operations.md: dump as the owner, restore into a new database as the owner (the
    grants to the application role come along), `moderation db verify` before switching;
    a dump taken after someone disabled a trigger and edited a decision fails it."""
    _pg_tools()
    two = make_two_roles()
    restored_db = f"restore_{uuid.uuid4().hex[:12]}"
    admin_engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        upgrade_store(two.owner_url, app_role=two.app)
        store = open_store(two.app_url)
        fill(store, keyword_model, tmp_path)
        store.dispose()
        owner = sa.make_url(PG_URL).set(username=two.owner)

        def dump_and_restore(name: str) -> str:
            dump = tmp_path / f"{name}.dump"
            source = libpq_url(owner.render_as_string(False))
            subprocess.run(["pg_dump", "--format=custom", f"--schema={two.schema}",
                            f"--file={dump}", f"--dbname={source}"],
                           check=True, timeout=60, capture_output=True)
            with admin_engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{restored_db}" OWNER {two.owner}')
            target = owner.set(database=restored_db)
            done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                                   f"--dbname={libpq_url(target.render_as_string(False))}",
                                   str(dump)], check=False, timeout=60, capture_output=True,
                                  text=True)
            assert done.returncode == 0, done.stderr
            return target.update_query_dict({"options": f"-csearch_path={two.schema}"}) \
                .render_as_string(hide_password=False)

        restored = dump_and_restore("good")
        report = verify_store(restored, app_role=two.app)
        assert report.ok and not report.warnings, report.lines()
        assert report.decisions == 6

        admin(f"ALTER TABLE {two.schema}.decisions DISABLE TRIGGER decisions_no_change")
        admin(f"UPDATE {two.schema}.decisions SET labels = '' WHERE id = 1")
        restored = dump_and_restore("tampered")
        found = [(f.check, f.message) for f in
                 verify_store(restored, app_role=two.app).problems]
        assert found == [("triggers", "trigger decisions_no_change on decisions is disabled"),
                         ("chain", "decision 1 does not match its hash (its content was "
                                   "edited)")]
    finally:
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
        admin_engine.dispose()
        drop_two_roles(two)
