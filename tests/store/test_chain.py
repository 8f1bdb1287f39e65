"""The decisions' hash chain: migration 0004 gives existing decisions their hashes, the
format does not drift, and moderators and an import in several processes at once append to
one unbroken chain, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from helpers import work_queue, write_csv
from test_migration import APPEND_ONLY, DATA_0001, migrate, rows, run

from moderation.queue.imports import import_decisions
from moderation.store.migrate import head_revision
from moderation.queue.ingest import ingest_file
from moderation.store import chain, ensure_schema, make_engine
from moderation.store.verify import verify_store


def test_the_hash_of_a_row_does_not_drift():
    """Stores keep these hashes for years: a change of the canonical form must be a new
    ``chain.FORMAT``, never a silent change."""
    row = dict(id=7, comment_id=3, moderator="Олена", action="relabel",
               labels="insult;improper", note="<b>нотатка</b>", queue="review",
               model_version="m1", reverts_id=None, txid=0,
               decided_at=datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC))
    canonical = ('["moderation.decisions/1","' + "0" * 64 + '",[7,3,"Олена","relabel",'
                 '"insult;improper","<b>нотатка</b>","review","m1",null,'
                 '"2024-05-01T10:00:00.123456+00:00",0]]')
    assert chain.row_hash(chain.GENESIS, row) == \
        hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    kyiv = row | {"decided_at": row["decided_at"].astimezone(timezone(timedelta(hours=3)))}
    assert chain.row_hash(chain.GENESIS, kyiv) == chain.row_hash(chain.GENESIS, row)


def test_migration_0004_hashes_existing_decisions(db_url):
    migrate(db_url, "0001")
    run(db_url, *DATA_0001)
    migrate(db_url, "0003")
    before = rows(db_url)
    assert ensure_schema(db_url) == head_revision()
    assert rows(db_url) == before
    report = verify_store(db_url)
    assert report.ok, report.lines()
    assert report.decisions == 3
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            links = conn.exec_driver_sql("SELECT prev_hash, row_hash FROM decisions "
                                         "ORDER BY id").all()
    finally:
        engine.dispose()
    assert links[0][0] == chain.GENESIS
    assert [prev for prev, _ in links[1:]] == [digest for _, digest in links[:-1]]
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(db_url, "UPDATE comments SET text = 'x'")
    migrate(db_url, "0003", down=True)  # and back: the hashes go, 0001's triggers return
    assert rows(db_url) == before
    with pytest.raises(sa.exc.DBAPIError, match=APPEND_ONLY):
        run(db_url, "DELETE FROM decisions")
    run(db_url, "UPDATE comments SET text = 'x' WHERE id = 2")  # not guarded before 0004


def _import(url: str, path: str) -> int:
    from moderation.store import open_store

    store = open_store(url)
    try:
        return import_decisions(store, path, "ops").imported
    finally:
        store.dispose()


@pytest.mark.timeout(240)
def test_concurrent_writers_in_processes_keep_one_chain(store, keyword_model, tmp_path,
                                                        db_url):
    n = 40
    flagged = [{"id": f"c{i}", "text": f"Ти дурень {i}"} for i in range(n)]
    kept = [{"id": f"k{i}", "text": f"Дякую {i}"} for i in range(n)]
    ingest_file(store, write_csv(tmp_path / "in.csv", flagged + kept), keyword_model,
                spot_check_rate=0)
    history = write_csv(tmp_path / "h.csv", [{"id": r["id"], "labels": ""} for r in kept])
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=ctx) as pool:
        deciders = [pool.submit(work_queue, db_url, f"p{i}") for i in range(3)]
        imported = pool.submit(_import, db_url, str(history))
        decided = [cid for job in deciders for cid in job.result()]
        assert imported.result() == n
    assert len(decided) == n
    report = verify_store(store)
    assert report.ok, report.lines()
    assert report.decisions == 2 * n
    with store.read() as conn:
        ids = conn.exec_driver_sql("SELECT id FROM decisions ORDER BY id").scalars().all()
    assert report.chain_head.startswith(f"{ids[-1]}:")


def test_append_links_several_rows_in_one_transaction(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "in.csv", [{"id": "a", "text": "дурень"}]),
                keyword_model, spot_check_rate=0)
    at = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    with store.write() as conn:
        first = chain.append(conn, [dict(comment_id=1, moderator="m", action="import",
                                         labels="", queue="import", decided_at=at)] * 3,
                             returning=[sa.column("id"), sa.column("prev_hash"),
                                        sa.column("row_hash")])
    assert [r.prev_hash for r in first[1:]] == [r.row_hash for r in first[:-1]]
    assert [r.id for r in first] == sorted(r.id for r in first)
    assert verify_store(store).ok
    with pytest.raises(ValueError, match="needs comment_id"), store.write() as conn:
        chain.append(conn, [dict(moderator="m", action="skip", queue="review",
                                 decided_at=at)])
