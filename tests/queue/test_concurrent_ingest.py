"""Several ingest PROCESSES at once on overlapping files in different orders, on SQLite and
PostgreSQL: every comment is stored exactly once, every run finishes, nobody deadlocks."""
from __future__ import annotations

import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.queue.ingest import ingest_file
from moderation.queue.sketches import BANDS
from moderation.store.schema import (
    comment_sketches,
    comments,
    ingest_runs,
    predictions,
    queue_items,
)

N = 240
BATCH = 40  # several transactions per file, so the processes interleave


def _ingest(url: str, path: str) -> dict[str, int]:
    """One ``moderation ingest`` in a process of its own."""
    from helpers import KeywordModel

    from moderation.store import open_store

    store = open_store(url)
    try:
        return ingest_file(store, path, KeywordModel(), spot_check_rate=0.5,
                           batch_size=BATCH).counts()
    finally:
        store.dispose()


def _files(tmp_path, processes: int) -> list[str]:
    """Overlapping files: each holds about three quarters of the ids, in its own order
    (one ascending, one descending, the others shuffled)."""
    rows = [{"id": f"c{i:04d}", "text": f"Коментар {i}" + (" дурень" if i % 3 == 0 else "")}
            for i in range(N)]
    paths = []
    for p in range(processes):
        chosen = [r for i, r in enumerate(rows) if i % 4 != p % 4]
        if p == 0:
            pass
        elif p == 1:
            chosen.reverse()
        else:
            random.Random(p).shuffle(chosen)
        paths.append(str(write_csv(tmp_path / f"part{p}.csv", chosen)))
    return paths


@pytest.mark.timeout(240)
@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_ingests_store_each_comment_once(store, db_url, tmp_path, processes):
    paths = _files(tmp_path, processes)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=ctx) as pool:
        results = list(pool.map(_ingest, [db_url] * processes, paths))
    stored = sum(r["stored"] for r in results)
    with store.read() as conn:
        ids = conn.scalars(sa.select(comments.c.external_id)).all()
        count = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                 for t in (comments, predictions, comment_sketches)}
        unfinished = conn.execute(sa.select(sa.func.count()).select_from(ingest_runs)
                                  .where(ingest_runs.c.finished_at.is_(None))).scalar_one()
        queued = conn.execute(sa.select(sa.func.count()).select_from(queue_items)).scalar_one()
    present = {f"c{i:04d}" for i in range(N) if any(i % 4 != p % 4 for p in range(processes))}
    assert sorted(ids) == sorted(present)  # each one exactly once, none missing
    assert stored == len(present)  # each stored by exactly one of the runs
    assert all(r["read"] == r["stored"] + r["duplicates"] for r in results)
    assert sum(r["read"] for r in results) == sum(len(open(p).readlines()) - 1 for p in paths)
    assert count == {"comments": len(present), "predictions": len(present),
                     "comment_sketches": BANDS * len(present)}
    assert queued == sum(r["flagged"] + r["spot_checked"] for r in results)
    assert unfinished == 0
