"""Faults: a killed ingest, an interrupted decision, the database gone, a broken model, a full
or unwritable disk. Each is either survived (nothing lost, nothing twice) or reported with
a clear message; none is silently ignored."""
from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import KeywordModel, write_csv

from moderation import load_model
from moderation.cli import main as cli_main
from moderation.errors import ModelError, StoreError
from moderation.queue import decide, next_item
from moderation.queue.ingest import ingest_file
from moderation.store import open_store
from moderation.store.schema import (
    claims,
    comment_sketches,
    comments,
    decisions,
    ingest_runs,
    predictions,
    queue_items,
)

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def count(store, table, *where) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)
                            ).scalar_one()


def flagged_rows(n: int, prefix: str = "c") -> list[dict]:
    return [{"id": f"{prefix}{i}", "text": f"Ти дурень номер {i}, сусід вкрав"} for i in range(n)]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(REPO)])}


# ------------------------------------------------------------------ ingest killed midway

SLOW_INGEST = """
import sys, time
from helpers import KeywordModel
from moderation.queue.ingest import ingest_file
from moderation.store import open_store

class Slow(KeywordModel):  # slow enough that the test can kill it midway
    def predict_proba(self, texts):
        time.sleep(0.1)
        return super().predict_proba(texts)

ingest_file(open_store(sys.argv[1]), sys.argv[2], Slow(), batch_size=int(sys.argv[3]),
            spot_check_rate=0.5)
"""


@pytest.mark.timeout(60)
def test_ingest_killed_midway_then_rerun_stores_every_comment_once(db_url, tmp_path):
    n, batch = 2000, 100
    path = write_csv(tmp_path / "big.csv", [
        {"id": f"k{i}", "text": f"Коментар {i}" + (" дурень" if i % 3 == 0 else "")}
        for i in range(n)])
    store = open_store(db_url)  # schema first, so the child only ingests
    child = subprocess.Popen([sys.executable, "-c", SLOW_INGEST, db_url, str(path), str(batch)],
                             env=child_env(), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 40
        while count(store, comments) < 3 * batch:
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the ingest stored nothing in 40 s"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    before = count(store, comments)
    assert 0 < before < n, "the kill should land midway"
    assert before % batch == 0, "a batch is one transaction: never half stored"
    assert count(store, predictions) == before
    assert count(store, ingest_runs, ingest_runs.c.finished_at.is_(None)) == 1

    again = ingest_file(store, path, KeywordModel(), batch_size=batch, spot_check_rate=0.5)
    assert (again.stored, again.duplicates, again.rejected) == (n - before, before, 0)
    with store.read() as conn:
        ids = conn.scalars(sa.select(comments.c.external_id)).all()
        per_comment = conn.execute(sa.select(predictions.c.comment_id, sa.func.count())
                                   .group_by(predictions.c.comment_id)).all()
        sketched = conn.execute(sa.select(sa.func.count(sa.distinct(comment_sketches.c.comment_id)))
                                ).scalar_one()
        orphans = conn.execute(sa.select(sa.func.count()).select_from(queue_items).where(
            ~queue_items.c.comment_id.in_(sa.select(comments.c.id)))).scalar_one()
    assert sorted(ids) == sorted(f"k{i}" for i in range(n))  # every comment, exactly once
    assert len(per_comment) == n and {c for _, c in per_comment} == {1}
    assert sketched == n and orphans == 0
    store.dispose()


# ------------------------------------------------------------------ decision interrupted


@pytest.fixture
def claimed(store, tmp_path):
    """A store with flagged comments, the first one claimed by olena: (store, comment id)."""
    ingest_file(store, write_csv(tmp_path / "c.csv", flagged_rows(5)), KeywordModel())
    return store, next_item(store, "olena").comment.id


def decision_state(store, comment_id: int) -> tuple[int, str, str | None]:
    """(decisions recorded, queue status, who holds the claim) for ``comment_id``."""
    with store.read() as conn:
        status = conn.execute(sa.select(queue_items.c.status)
                              .where(queue_items.c.comment_id == comment_id)).scalar_one()
        holder = conn.execute(sa.select(claims.c.moderator)
                              .where(claims.c.comment_id == comment_id)).scalar()
    return count(store, decisions, decisions.c.comment_id == comment_id), status, holder


@pytest.mark.parametrize("stage", ["INSERT INTO decisions", "DELETE FROM claims",
                                   "UPDATE queue_items"])
def test_decision_interrupted_midway_is_all_or_nothing(claimed, stage):
    store, comment_id = claimed

    def power_cut(conn, cursor, statement, *_):
        if statement.startswith(stage):
            raise RuntimeError(f"power cut after {stage}")

    sa.event.listen(store.engine, "after_cursor_execute", power_cut)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            decide(store, comment_id, "olena", "confirm")
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", power_cut)
    assert decision_state(store, comment_id) == (0, "open", "olena")  # nothing at all
    decide(store, comment_id, "olena", "confirm")  # and the moderator simply does it again
    assert decision_state(store, comment_id) == (1, "done", None)  # fully, once


KILLED_DECIDE = """
import sys, time
import moderation.queue.decisions as d
from moderation.queue import decide
from moderation.store import open_store

real = d._insert
def insert_then_hang(*args, **kwargs):
    row = real(*args, **kwargs)
    print("inserted", flush=True)
    time.sleep(60)
    return row

d._insert = insert_then_hang
decide(open_store(sys.argv[1], migrate=False), int(sys.argv[2]), "olena", "confirm")
"""


@pytest.mark.timeout(60)
def test_decision_process_killed_inside_its_transaction_records_nothing(claimed, db_url):
    store, comment_id = claimed
    child = subprocess.Popen([sys.executable, "-c", KILLED_DECIDE, db_url, str(comment_id)],
                             env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = child.stdout.readline()
        assert line.strip() == b"inserted", child.stderr.read().decode()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert decision_state(store, comment_id) == (0, "open", "olena")
    assert next_item(store, "olena").comment.id == comment_id  # still hers, to do again
    decide(store, comment_id, "olena", "override")
    assert decision_state(store, comment_id) == (1, "done", None)


# ------------------------------------------------------------------ database unreachable


def test_unreachable_postgresql_is_a_clear_store_error():
    with pytest.raises(StoreError, match=r"cannot prepare the comment store at .*127\.0\.0\.1:1"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")


# ------------------------------------------------------------------ missing or corrupt model


def break_model(model_dir: Path, how: str) -> str:
    """Damage the bundle; returns what the error message must say."""
    if how == "missing":
        shutil.rmtree(model_dir)
        return "no model at"
    if how == "truncated":
        pipeline = model_dir / "pipeline.skops"
        pipeline.write_bytes(pipeline.read_bytes()[:1000])
        return "truncated or replaced"
    (model_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    return "not valid JSON"


@pytest.mark.parametrize("how", ["missing", "truncated", "bad-manifest"])
def test_broken_model_is_refused_clearly_but_scored_comments_stay_workable(
        how, store, db_url, tiny_model, tmp_path, capsys):
    ingest_file(store, write_csv(tmp_path / "c.csv", flagged_rows(3)), KeywordModel())
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model, model_dir)
    says = break_model(model_dir, how)
    with pytest.raises(ModelError, match=says):
        load_model(model_dir)
    new = write_csv(tmp_path / "new.csv", flagged_rows(2, prefix="n"))
    code = cli_main(["ingest", "--input", str(new), "--db", db_url, "--model", str(model_dir)])
    assert code == 2 and says in capsys.readouterr().err
    assert count(store, comments) == 3  # nothing half-ingested without a model
    while (item := next_item(store, "petro")) is not None:  # moderators carry on
        decide(store, item.comment.id, "petro", "confirm")
    assert count(store, decisions) == 3


# ------------------------------------------------------------------ full or unwritable disk


def test_unwritable_data_folder_is_reported(tmp_path, tiny_model, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("a file, not a folder")  # as root, chmod would not stop writes
    url = f"sqlite:///{blocker}/moderation.db"
    with pytest.raises(StoreError, match="cannot create the folder .*data for the SQLite store"):
        open_store(url)
    new = write_csv(tmp_path / "new.csv", flagged_rows(2))
    code = cli_main(["ingest", "--input", str(new), "--db", url, "--model", str(tiny_model)])
    assert code == 2 and "cannot create the folder" in capsys.readouterr().err


def test_full_sqlite_disk_stops_the_ingest_loudly_and_a_rerun_completes(tmp_path):
    url = f"sqlite:///{tmp_path / 'full.db'}"
    store = open_store(url)

    def small_disk(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA max_page_count=80")  # SQLite's own "disk is full"

    sa.event.listen(store.engine, "connect", small_disk)
    store.engine.dispose()
    path = write_csv(tmp_path / "in.csv", [
        {"id": f"f{i}", "text": f"Ти дурень {i} " + "довгий текст " * 40} for i in range(1500)])
    with pytest.raises(sa.exc.OperationalError, match="database or disk is full"):
        ingest_file(store, path, KeywordModel(), batch_size=100)
    stored = count(store, comments)
    assert stored % 100 == 0 and count(store, predictions) == stored  # no half batch
    assert count(store, ingest_runs, ingest_runs.c.finished_at.is_(None)) == 1  # not "done"

    sa.event.remove(store.engine, "connect", small_disk)  # space freed
    store.engine.dispose()
    again = ingest_file(store, path, KeywordModel(), batch_size=100)
    assert (again.stored, again.duplicates) == (1500 - stored, stored)
    assert count(store, comments) == count(store, predictions) == 1500
    store.dispose()


def test_full_disk_while_saving_a_model_keeps_the_old_one(tiny_model, tmp_path, monkeypatch):
    from moderation.classifier.bundle import save_bundle

    current = tmp_path / "model"
    shutil.copytree(tiny_model, current)
    model = load_model(current)

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("moderation.classifier.bundle.os.fsync", no_space)
    with pytest.raises(OSError, match="No space left on device"):
        save_bundle(dataclasses.replace(model, manifest={"model_version": "new"}), current,
                    card="new")
    assert load_model(current).version == model.version  # the old bundle, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no half-written copy
