"""Several moderators at once, in threads and in processes, on SQLite and PostgreSQL:
no comment is held or decided twice and no decision is lost."""
from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from helpers import work_queue, write_csv

from moderation.queue import stats
from moderation.queue.ingest import ingest_file
from moderation.store.schema import decisions

N = 60


@pytest.fixture
def busy(store, keyword_model, tmp_path, db_url):
    rows = [{"id": f"c{i}", "text": f"Ти дурень номер {i} #0.{50 + i % 49:02d}"} for i in range(N)]
    assert ingest_file(store, write_csv(tmp_path / "c.csv", rows), keyword_model).flagged == N
    return db_url


def check_outcome(store, results: list[list[int]]) -> None:
    decided = [cid for worker in results for cid in worker]
    assert len(decided) == N and len(set(decided)) == N  # each comment once, none lost
    with store.read() as conn:
        rows = conn.execute(sa.select(decisions.c.comment_id, decisions.c.moderator,
                                      decisions.c.note)).all()
    assert len(rows) == N
    assert Counter(row.comment_id for row in rows).most_common(1)[0][1] == 1
    assert all(row.moderator == row.note for row in rows)  # recorded by who did it
    assert stats(store).open["review"] == 0


@pytest.mark.timeout(120)
def test_moderators_in_threads(store, busy):
    barrier = threading.Barrier(4)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work_queue, [busy] * 4, [f"t{i}" for i in range(4)],
                                [barrier] * 4))
    check_outcome(store, results)
    assert all(results)  # four claims held at once, on four different comments


@pytest.mark.timeout(180)
def test_moderators_in_processes(store, busy):
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=ctx) as pool:
        results = list(pool.map(work_queue, [busy] * 3, [f"p{i}" for i in range(3)]))
    check_outcome(store, results)
