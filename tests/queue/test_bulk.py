"""Bulk actions on SQLite and PostgreSQL: hide or keep a whole campaign or an author's open
comments, one decision (and outbox row) each, others' claims respected, the audit trail
sound afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from campaigns import rows
from helpers import write_csv

from moderation.errors import LabelsRequired
from moderation.queue import (
    author_open,
    bulk_decide,
    campaign_open,
    decide,
    next_item,
    undo,
)
from moderation.queue.claims import claim_one
from moderation.queue.ingest import ingest_file
from moderation.store.schema import comments, decisions, queue_items, utcnow, webhook_outbox
from moderation.store.verify import verify_store

EXTRA = [  # the job-ad author also wrote a comment of their own, and a clean one elsewhere
    dict(id="own", text="Заробіток гарантую, пишіть у telegram", author="job_author0",
         article_id="a9"),
    dict(id="clean", text="Дякую, гарна стаття", author="job_author0", article_id="a9"),
]


@pytest.fixture
def campaigns(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "c.csv", rows() + EXTRA), keyword_model,
                spot_check_rate=1.0)
    with store.read() as conn:
        ids = dict(conn.execute(sa.select(comments.c.external_id, comments.c.id)).all())
    return store, ids


def ext_ids(ids: dict[str, int], internal) -> set[str]:
    back = {v: k for k, v in ids.items()}
    return {back[i] for i in internal}


def decisions_of(store, comment_ids) -> list[tuple]:
    with store.read() as conn:
        return conn.execute(sa.select(decisions.c.comment_id, decisions.c.action,
                                      decisions.c.labels, decisions.c.moderator)
                            .where(decisions.c.comment_id.in_(comment_ids))
                            .order_by(decisions.c.comment_id)).all()


def test_hide_a_campaign_one_decision_and_outbox_row_each(campaigns):
    store, ids = campaigns
    cluster = campaign_open(store, ids["casino1"], "olena")
    assert ext_ids(ids, cluster.ids) == {"casino0", "casino1", "casino2"}
    assert cluster.held_by_others == 0
    result = bulk_decide(store, "olena", cluster.ids, "confirm", note="кампанія")
    assert result.decided == cluster.ids and not (result.held or result.closed
                                                  or result.unlabelled)
    assert decisions_of(store, cluster.ids) == [(i, "confirm", "advertising", "olena")
                                                for i in cluster.ids]
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(webhook_outbox)).scalar() == 3
        assert set(conn.scalars(sa.select(queue_items.c.status).where(
            queue_items.c.comment_id.in_(cluster.ids)))) == {"done"}
    report = verify_store(store)
    assert report.ok, report.lines()
    assert report.decisions == 3
    assert campaign_open(store, ids["casino1"], "olena").ids == ()  # nothing left open
    assert undo(store, "olena").comment_id == max(cluster.ids)  # each undoable on its own


def test_keep_all_of_an_author_and_a_label_for_the_whole_cluster(campaigns):
    store, ids = campaigns
    mine = author_open(store, "job_author0", "olena")
    assert ext_ids(ids, mine.ids) == {"job0", "own", "clean"}
    result = bulk_decide(store, "olena", mine.ids, "override")
    assert result.decided == mine.ids
    assert {a for _, a, labels, _ in decisions_of(store, mine.ids) if labels == ""} == {
        "override"}
    jobs = campaign_open(store, ids["job1"], "olena")
    assert ext_ids(ids, jobs.ids) == {"job1", "job2", "job3"}  # job0 is decided already
    bulk_decide(store, "olena", jobs.ids, "confirm", labels=["advertising", "improper"])
    assert {labels for _, _, labels, _ in decisions_of(store, jobs.ids)} == {
        "advertising;improper"}
    assert verify_store(store).ok


def test_comments_held_by_another_moderator_are_left_and_reported(campaigns):
    store, ids = campaigns
    assert claim_one(store, ids["pol2"], "petro")
    cluster = campaign_open(store, ids["pol0"], "olena")
    assert len(cluster.ids) == 4 and cluster.held_by_others == 1
    result = bulk_decide(store, "olena", cluster.ids, "confirm")
    assert result.held == (ids["pol2"],) and len(result.decided) == 3
    assert decide(store, ids["pol2"], "petro", "override").action == "override"
    # an expired claim is no obstacle
    assert claim_one(store, ids["casino0"], "petro", now=utcnow() - timedelta(hours=2))
    assert bulk_decide(store, "olena", [ids["casino0"]], "override").decided == (ids["casino0"],)


def test_closed_and_unlabelled_comments_are_reported(campaigns):
    store, ids = campaigns
    item = next_item(store, "olena", queue="spot_check")
    decide(store, item.comment.id, "olena", "override")
    clean = [ids["topic0"], ids["topic1"]]  # spot check: the model flagged nothing
    result = bulk_decide(store, "olena", [item.comment.id, *clean], "confirm")
    assert result.closed == (item.comment.id,)
    assert set(result.unlabelled) == set(clean) and result.decided == ()
    assert bulk_decide(store, "olena", clean, "confirm", labels=["insult"]).decided == tuple(
        sorted(clean))


def test_the_moderator_keeps_the_comment_they_hold(campaigns):
    store, ids = campaigns
    held = next_item(store, "olena")
    others = [i for i in campaign_open(store, ids["casino0"], "olena").ids
              if i != held.comment.id]
    bulk_decide(store, "olena", others, "confirm")
    assert next_item(store, "olena").comment.id == held.comment.id


@pytest.mark.parametrize("action, labels, error, match", [
    ("relabel", None, ValueError, "unknown bulk action"),
    ("override", ["insult"], ValueError, "takes no labels"),
    ("confirm", [], LabelsRequired, "at least one label"),
])
def test_bad_requests_are_refused(campaigns, action, labels, error, match):
    store, ids = campaigns
    with pytest.raises(error, match=match):
        bulk_decide(store, "olena", [ids["casino0"]], action, labels=labels)
