"""Comments from the site through ingest's path: groups of concurrent requests stored
together, an id sent by two requests stored in order, errors reaching every request."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from moderation.site.comments import Submitter, submit_groups
from moderation.site.policy import ActionPolicy
from moderation.store.schema import comments, ingest_runs
from moderation.tables import Problem


def groups_of(store, model):
    def store_groups(groups):
        return submit_groups(store, model, groups, policy=ActionPolicy(), run_id=None,
                             spot_check_rate=0.0, max_text_chars=20_000)
    return store_groups


def test_groups_are_checked_apart_and_stored_in_order(store, keyword_model):
    results, counts = groups_of(store, keyword_model)([
        [{"id": "a", "text": "дурень"}, {"id": "a", "text": "x"}],
        [{"id": "a", "text": "Дякую"}, {"id": "b", "text": ""}],
        [{"id": "a", "text": "Дякую"}],
    ])
    first, second, third = results
    assert first[0].version == 1 and first[0].labels == ("insult",)
    assert isinstance(first[1], Problem) and "first at item 0" in first[1].reason
    assert second[0].version == 2 and second[0].labels == ()  # the next request: an edit
    assert isinstance(second[1], Problem) and second[1].line == 1 and second[1].field == "text"
    assert third[0].version == 2  # the same text again: the stored answer
    assert counts == {"read": 5, "rejected": 2, "stored": 1, "edited": 1, "duplicates": 1,
                      "flagged": 1, "spot_checked": 0}
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(comments)).scalar() == 2


def test_concurrent_requests_share_batches(store, keyword_model):
    calls = []
    store_groups = groups_of(store, keyword_model)

    def recording(groups):
        calls.append(len(groups))
        return store_groups(groups)

    submitter = Submitter(recording)
    barrier, answers = threading.Barrier(12), {}

    def request(i):
        barrier.wait()
        answers[i] = submitter.submit([{"id": f"c{i}", "text": f"дурень {i}"}]).results[0]

    threads = [threading.Thread(target=request, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    submitter.close()
    assert sorted(a.id for a in answers.values()) == sorted(f"c{i}" for i in range(12))
    assert all(answers[i].id == f"c{i}" for i in answers)  # each request its own answer
    assert sum(calls) == 12 and len(calls) < 12  # some went together


def test_an_error_reaches_every_request_of_its_batch(store):
    def failing(groups):
        raise RuntimeError("store down")

    submitter = Submitter(failing)
    with pytest.raises(RuntimeError, match="store down"):
        submitter.submit([{"id": "x", "text": "y"}])
    submitter.close()
    with pytest.raises(RuntimeError, match="closed"):
        submitter.submit([{"id": "x", "text": "y"}])
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ingest_runs)).scalar() == 0
