"""``moderation db verify`` on SQLite and PostgreSQL: a sound store passes; a dropped or disabled
trigger, an edited decision, a removed or forged one, a rewritten chain, a changed schema
and an old revision are each named; ``db upgrade`` puts triggers back; restore refuses a
backup that fails; the UI and the service refuse to start on such a store."""
from __future__ import annotations

import json
import sqlite3

import pytest
import sqlalchemy as sa
from test_audit import fill

from moderation.cli import main
from moderation.errors import StoreIntegrityError
from moderation.store import open_store
from moderation.store.backup import backup_sqlite, restore_sqlite
from moderation.store.migrate import upgrade_store
from moderation.store.verify import require_sound, verify_store


def outside(store, *statements: str) -> None:
    """Run ``statements`` as someone outside the application would: a plain sqlite3
    connection to the file, or the database owner on PostgreSQL."""
    if store.dialect == "sqlite":
        with sqlite3.connect(store.engine.url.database) as raw:
            for statement in statements:
                raw.execute(statement)
        return
    engine = sa.create_engine(store.engine.url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def drop_guard(store) -> list[str]:
    """The statements that take the update guard of decisions away."""
    if store.dialect == "sqlite":
        return ["DROP TRIGGER decisions_no_update"]
    return ["ALTER TABLE decisions DISABLE TRIGGER decisions_no_change"]


def problems(store, **kwargs) -> list[tuple[str, str]]:
    return [(f.check, f.message) for f in verify_store(store, **kwargs).problems]


@pytest.fixture
def filled(store, tmp_path):
    fill(store, tmp_path)
    return store


def test_a_sound_store_passes(filled):
    report = verify_store(filled)
    assert report.ok, report.lines()
    assert report.decisions == 4 and report.chain_head.startswith("4:")
    assert report.lines()[-1] == "verify: OK"


def test_a_dropped_trigger_is_named_and_upgrade_puts_it_back(filled):
    outside(filled, *drop_guard(filled))
    found = problems(filled)
    name = "decisions_no_update" if filled.dialect == "sqlite" else "decisions_no_change"
    state = "missing" if filled.dialect == "sqlite" else "disabled"
    assert found == [("triggers", f"trigger {name} on decisions is {state}")]
    with pytest.raises(StoreIntegrityError, match=f"trigger {name} on decisions is {state}"):
        require_sound(filled)
    done = upgrade_store(filled)
    assert done.repaired == ((f"created trigger {name}",) if filled.dialect == "sqlite"
                             else (f"enabled trigger {name}",))
    assert verify_store(filled).ok
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), filled.write() as conn:
        conn.exec_driver_sql("UPDATE decisions SET labels = ''")


def test_an_edited_decision_is_named(filled):
    outside(filled, *drop_guard(filled), "UPDATE decisions SET labels = 'improper' WHERE id = 2")
    upgrade_store(filled)  # the trigger is back; the edit stays in the record
    assert problems(filled) == [
        ("chain", "decision 2 does not match its hash (its content was edited)")]


def test_a_removed_decision_breaks_the_chain(filled):
    delete = ["DROP TRIGGER decisions_no_delete"] if filled.dialect == "sqlite" else \
        ["ALTER TABLE decisions DISABLE TRIGGER USER"]
    outside(filled, *delete, "DELETE FROM webhook_outbox WHERE decision_id IN (1, 3)",
            "DELETE FROM decisions WHERE id = 3", "DELETE FROM decisions WHERE id = 1")
    found = [message for check, message in problems(filled) if check == "chain"]
    assert found == [
        "decision 2 does not follow the start of the chain (a decision was removed, "
        "inserted or reordered there)",
        "decision 4 does not follow decision 2 (a decision was removed, inserted or "
        "reordered there)"]


def test_a_forged_decision_is_named(filled):
    """A row added by hand at the end, linked to the last one but with a made-up hash."""
    with filled.read() as conn:
        last = conn.exec_driver_sql("SELECT row_hash FROM decisions ORDER BY id DESC "
                                    "LIMIT 1").scalar_one()
    outside(filled, "INSERT INTO decisions (id, comment_id, moderator, action, labels, queue, "
                    "decided_at, txid, prev_hash, row_hash) VALUES (99, 1, 'mallory', "
                    f"'override', '', 'review', '2024-05-01 10:00:00', 0, '{last}', "
                    f"'{'f' * 64}')")
    assert problems(filled) == [
        ("chain", "decision 99 does not match its hash (its content was edited)")]


def test_a_rewritten_chain_is_caught_by_an_anchor(filled):
    """Someone who edits a decision and recomputes every hash after it passes the chain
    check; the head kept from an earlier verify does not match any more."""
    from moderation.store import chain

    anchor_text = verify_store(filled).chain_head
    anchor_id, anchor_hash = anchor_text.split(":")
    outside(filled, *drop_guard(filled))
    if filled.dialect == "postgresql":
        outside(filled, "ALTER TABLE decisions DISABLE TRIGGER USER")
    outside(filled, "UPDATE decisions SET labels = 'improper' WHERE id = 2")
    engine = sa.create_engine(filled.engine.url)
    try:  # the forger's own recomputation, with the application's code
        with engine.begin() as conn:
            if filled.dialect == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER IF EXISTS decisions_no_update")
            chain.backfill(conn)
    finally:
        engine.dispose()
    upgrade_store(filled)
    assert verify_store(filled).ok  # without an anchor, nothing shows
    found = problems(filled, anchor=(int(anchor_id), anchor_hash))
    assert len(found) == 1 and found[0][0] == "chain"
    assert found[0][1].startswith(f"decision {anchor_id} has hash")


def test_an_unknown_trigger_is_named_and_dropped_by_upgrade(filled):
    quiet = ("CREATE TRIGGER quiet BEFORE INSERT ON decisions BEGIN SELECT RAISE(IGNORE); END"
             if filled.dialect == "sqlite" else
             "CREATE TRIGGER quiet BEFORE INSERT ON decisions FOR EACH ROW EXECUTE FUNCTION "
             "suppress_redundant_updates_trigger()")
    outside(filled, quiet)
    assert problems(filled) == [
        ("triggers", "unknown trigger quiet on decisions (not made by the migrations)")]
    assert upgrade_store(filled).repaired == ("dropped unknown trigger quiet on decisions",)
    assert verify_store(filled).ok


def test_a_changed_schema_is_named(filled):
    outside(filled, "ALTER TABLE decisions ADD COLUMN secret TEXT",
            "CREATE TABLE shadow (id INTEGER)")
    found = problems(filled)
    assert ("schema", "column decisions.secret is not part of the schema") in found
    assert ("schema", "table shadow is not part of the schema") in found


def test_an_old_revision_is_named(db_url):
    from test_migration import migrate

    migrate(db_url, "0003")
    assert problems(db_url) == [
        ("revision", "the store is at revision 0003; this version of the code needs 0008")]


def test_verify_command_exit_codes_and_json(filled, capsys):
    url = filled.engine.url.render_as_string(hide_password=False)
    assert main(["db", "verify", "--db", url]) == 0
    head = capsys.readouterr().out.splitlines()[0].split("chain head ")[1]
    assert main(["db", "verify", "--db", url, "--anchor", head]) == 0
    capsys.readouterr()
    outside(filled, *drop_guard(filled), "UPDATE decisions SET note = 'x' WHERE id = 1")
    assert main(["db", "verify", "--db", url, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert {p["check"] for p in report["problems"]} == {"triggers", "chain"}
    assert any("decision 1 does not match its hash" in p["message"]
               for p in report["problems"])
    assert len(report["repair"]) == 2
    with pytest.raises(SystemExit) as bad:
        main(["db", "verify", "--db", url, "--anchor", "nonsense"])
    assert bad.value.code == 2


def test_unreachable_store_exits_2(capsys):
    assert main(["db", "verify", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]) == 2
    assert "cannot check the comment store" in capsys.readouterr().err


# ------------------------------------------------------------------ restore (SQLite)


def test_restore_refuses_a_backup_that_fails_and_writes_nothing(tmp_path, capsys):
    live = f"sqlite:///{tmp_path / 'live.db'}"
    store = open_store(live)
    fill(store, tmp_path)
    good = backup_sqlite(live, tmp_path / "good.db")
    store.dispose()
    bad = tmp_path / "bad.db"
    bad.write_bytes(good.read_bytes())
    with sqlite3.connect(bad) as raw:
        raw.execute("DROP TRIGGER decisions_no_update")
        raw.execute("UPDATE decisions SET labels = '' WHERE id = 1")
    target = tmp_path / "target.db"
    with pytest.raises(StoreIntegrityError, match="trigger decisions_no_update on decisions "
                                                   "is missing.*decision 1 does not match"):
        restore_sqlite(bad, f"sqlite:///{target}")
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore")] == []
    assert main(["db", "restore", "--input", str(bad), "--db", f"sqlite:///{target}"]) == 2
    assert "not restored" in capsys.readouterr().err and not target.exists()
    assert main(["db", "restore", "--input", str(good), "--db", f"sqlite:///{target}"]) == 0
    assert "verified: 4 decisions" in capsys.readouterr().out
    assert verify_store(f"sqlite:///{target}").ok


def test_upgrade_recreates_the_triggers_of_a_restored_backup(tmp_path, capsys):
    """Restored with the sqlite3 shell (no check): `db upgrade` no longer says "newest" and
    leaves it as it is; it puts the triggers back."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = open_store(url)
    fill(store, tmp_path)
    store.dispose()
    with sqlite3.connect(tmp_path / "s.db") as raw:
        for name in ("decisions_no_update", "decisions_no_delete", "comments_no_delete"):
            raw.execute(f"DROP TRIGGER {name}")
    assert main(["db", "verify", "--db", url]) == 1
    assert main(["db", "upgrade", "--db", url]) == 0
    out = capsys.readouterr().out
    for name in ("decisions_no_update", "decisions_no_delete", "comments_no_delete"):
        assert f"repaired: created trigger {name}" in out
    assert main(["db", "verify", "--db", url]) == 0


# ------------------------------------------------------------------ the app refuses to start


def test_the_service_refuses_to_start(filled, keyword_model, tmp_path):
    from fastapi.testclient import TestClient

    from moderation.service import create_app
    from moderation.settings import Settings

    outside(filled, *drop_guard(filled))
    app = create_app(Settings.from_env({"MODERATION_DATA_DIR": str(tmp_path)}), store=filled,
                     model=keyword_model, webhooks=False)
    with pytest.raises(StoreIntegrityError, match="moderation db upgrade"), TestClient(app):
        pass
    upgrade_store(filled)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
