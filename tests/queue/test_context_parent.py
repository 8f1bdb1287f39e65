"""The context of a reply and the queue's backlog, on SQLite and PostgreSQL: the comment a
reply answers (current version, bounded text, hidden or not), the article's fields as
ingested, and the backlog figures for the queue header."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.errors import DataError
from moderation.queue import Filters, backlog, decide, next_item, parent_comment, undo
from moderation.queue.ingest import ingest_file
from moderation.store.schema import comments, utcnow

SNIPPET = "Депутати міськради проголосували за новий бюджет."
THREAD = [  # the case: a reply that cannot be judged without the comment it answers
    {"id": "p1", "author": "Тарас", "text": "Ти дурень, якщо віриш меру", "parent_id": "",
     "article_url": "https://news.example/budget", "article_snippet": SNIPPET,
     "posted_at": "2024-05-01T10:00:00+00:00"},
    {"id": "r1", "author": "Оля", "text": "@Тарас … Ви його теж бидлом назвете?",
     "parent_id": "p1", "article_url": "https://news.example/budget",
     "article_snippet": SNIPPET, "posted_at": "2024-05-01T10:05:00+00:00"},
    {"id": "r2", "author": "Петро", "text": "А де відповідь?", "parent_id": "gone",
     "article_url": "", "article_snippet": "", "posted_at": "2024-05-01T10:06:00+00:00"},
]


@pytest.fixture
def thread(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "t.csv", THREAD), keyword_model,
                spot_check_rate=1.0)
    return store


def comment_id(store, external_id: str) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.max(comments.c.id))
                            .where(comments.c.external_id == external_id)).scalar_one()


def test_ingest_stores_the_context(thread):
    with thread.read() as conn:
        rows = {r.external_id: r for r in conn.execute(sa.select(comments))}
    assert (rows["r1"].parent_id, rows["r1"].article_url, rows["r1"].article_snippet) == (
        "p1", "https://news.example/budget", SNIPPET)
    assert (rows["p1"].parent_id, rows["r2"].article_url, rows["r2"].article_snippet) == (
        None, None, None)
    item = next_item(thread, "m", queue="spot_check", filters=Filters(author="Оля"))
    assert (item.comment.article_snippet, item.comment.parent_id) == (SNIPPET, "p1")


def test_the_parent_of_a_reply(thread):
    parent = parent_comment(thread, comment_id(thread, "r1"))
    assert (parent.external_id, parent.version, parent.author) == ("p1", 1, "Тарас")
    assert parent.text == "Ти дурень, якщо віриш меру" and not parent.truncated
    assert parent.posted_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert (parent.decided, parent.hidden) == (False, False)
    assert parent_comment(thread, comment_id(thread, "p1")) is None  # answers nothing
    assert parent_comment(thread, comment_id(thread, "r2")) is None  # parent not stored
    assert parent_comment(thread, 10_000) is None


def test_the_parent_text_is_bounded(thread):
    parent = parent_comment(thread, comment_id(thread, "r1"), max_chars=5)
    assert (parent.text, parent.truncated) == ("Ти ду", True)
    with pytest.raises(ValueError, match="max_chars"):
        parent_comment(thread, comment_id(thread, "r1"), max_chars=0)


def test_the_parent_as_it_reads_now_and_whether_it_was_hidden(thread, keyword_model,
                                                                tmp_path):
    item = next_item(thread, "m", filters=Filters(author="Тарас"))
    decide(thread, item.comment.id, "m", "confirm", ["insult"])
    parent = parent_comment(thread, comment_id(thread, "r1"))
    assert (parent.decided, parent.hidden) == (True, True)
    undo(thread, "m")
    assert parent_comment(thread, comment_id(thread, "r1")).decided is False
    decide(thread, item.comment.id, "m", "override")
    parent = parent_comment(thread, comment_id(thread, "r1"))
    assert (parent.decided, parent.hidden) == (True, False)
    edited = [{**THREAD[0], "text": "Я передумав: мер молодець"}]
    ingest_file(thread, write_csv(tmp_path / "e.csv", edited), keyword_model,
                spot_check_rate=0.0)
    parent = parent_comment(thread, comment_id(thread, "r1"))
    assert (parent.version, parent.text, parent.decided) == (2, "Я передумав: мер молодець",
                                                            False)


def test_backlog(thread):
    start = utcnow()
    before = backlog(thread, "review", now=start + timedelta(hours=3, minutes=10))
    assert before.open == 1 and before.decided_today == 0  # p1 flagged; r1, r2 spot checks
    assert timedelta(hours=3, minutes=9) < before.oldest_waiting <= timedelta(hours=3,
                                                                                minutes=11)
    assert backlog(thread, "spot_check").open == 2
    item = next_item(thread, "m", filters=Filters(author="Тарас"))
    decide(thread, item.comment.id, "m", "confirm", ["insult"])
    after = backlog(thread, "review")
    assert (after.open, after.oldest_entered_at, after.oldest_waiting) == (0, None, None)
    assert after.decided_today == 1
    assert backlog(thread, "spot_check").decided_today == 0
    assert backlog(thread, "review", now=utcnow() + timedelta(days=1)).decided_today == 0
    undo(thread, "m")  # an undone verdict is not a decision made today
    assert backlog(thread, "review").decided_today == 0


def test_decided_today_is_a_kyiv_day(thread):
    item = next_item(thread, "m", queue="spot_check", filters=Filters(author="Оля"))
    # 21:30 UTC on 1 May is 00:30 on 2 May in Kyiv (UTC+3 in summer)
    decide(thread, item.comment.id, "m", "override", now=datetime(2024, 5, 1, 21, 30, tzinfo=UTC))
    morning = datetime(2024, 5, 2, 8, tzinfo=UTC)
    assert backlog(thread, "spot_check", now=morning).decided_today == 1
    assert backlog(thread, "spot_check", now=morning, tz=UTC).decided_today == 0


def test_an_unknown_queue_is_refused(store):
    with pytest.raises(DataError, match="unknown queue 'main'"):
        backlog(store, "main")
