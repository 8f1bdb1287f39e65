"""Ingestion: scored, stored once, routed to the right queue; bad rows reported."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from helpers import write_csv, write_jsonl

from moderation import load_model
from moderation.queue.ingest import ingest_file
from moderation.queue.sketches import BANDS
from moderation.store.schema import comment_sketches, comments, predictions, queue_items

ROWS = [
    {"id": "c1", "text": "Голосуйте за Петренка!", "author": "Іван", "article_id": "a1"},
    {"id": "c2", "text": "Ти дурень", "author": "Петро", "article_id": "a1"},
    {"id": "c3", "text": "Дякую за статтю", "author": "Оля", "article_id": "a2"},
    {"id": "c4", "text": "Коли відремонтують міст?", "author": "Оля", "article_id": "a2"},
]
HOSTILE = [
    {"id": "x1", "text": "<script>alert(1)</script>", "author": "<img src=x onerror=alert(1)>",
     "article_title": "'; DROP TABLE comments; --"},
    {"id": "x2' OR '1'='1", "text": "Robert'); DROP TABLE decisions;-- \u202eRTL \u200bzero",
     "author": "Бобі", "article_title": "<b>bold</b>"},
]


def queue_of(store) -> dict[str, str]:
    with store.read() as conn:
        return dict(conn.execute(sa.select(comments.c.external_id, queue_items.c.queue)
                                 .join(queue_items)).all())


def test_ingest_stores_scores_and_routes(store, keyword_model, tmp_path):
    path = write_csv(tmp_path / "in.csv", ROWS)
    summary = ingest_file(store, path, keyword_model, spot_check_rate=1.0)
    assert summary.counts() == dict(read=4, stored=4, duplicates=0, rejected=0, flagged=2,
                                    spot_checked=2, edited=0)
    assert queue_of(store) == {"c1": "review", "c2": "review", "c3": "spot_check",
                               "c4": "spot_check"}
    with store.read() as conn:
        versions = set(conn.scalars(sa.select(predictions.c.model_version)))
        flagged = dict(conn.execute(sa.select(comments.c.external_id, predictions.c.flagged_labels)
                                    .join(predictions)).all())
        sketches = conn.execute(sa.select(sa.func.count()).select_from(comment_sketches)).scalar()
    assert versions == {"keyword-1"}
    assert flagged == {"c1": "political_pr", "c2": "insult", "c3": "", "c4": ""}
    assert sketches == 4 * BANDS


def test_ingest_is_idempotent(store, keyword_model, tmp_path):
    path = write_csv(tmp_path / "in.csv", ROWS)
    ingest_file(store, path, keyword_model, spot_check_rate=0.0)
    again = ingest_file(store, path, keyword_model, spot_check_rate=0.0)
    assert (again.stored, again.duplicates, again.flagged) == (0, 4, 0)
    more = write_csv(tmp_path / "more.csv", ROWS + [{"id": "c5", "text": "Новий коментар",
                                                      "author": "", "article_id": ""}])
    third = ingest_file(store, more, keyword_model, spot_check_rate=0.0, batch_size=2)
    assert (third.stored, third.duplicates) == (1, 4)
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(comments)).scalar() == 5


def test_unflagged_comments_are_sampled_at_the_given_rate(store, keyword_model, tmp_path):
    rows = [{"id": f"n{i}", "text": f"Звичайний коментар номер {i}"} for i in range(400)]
    summary = ingest_file(store, write_csv(tmp_path / "n.csv", rows), keyword_model,
                          spot_check_rate=0.1, rng=random.Random(3))
    assert summary.flagged == 0
    assert 20 <= summary.spot_checked <= 60


def test_bad_rows_are_reported_and_good_ones_stored(store, keyword_model, tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, ROWS[:2] + [{"id": "e", "text": "   "}, {"id": "c1", "text": "dup"}])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    summary = ingest_file(store, path, keyword_model)
    assert (summary.read, summary.stored, summary.rejected) == (5, 2, 3)
    assert [(p.line, p.reason.split(" (")[0]) for p in summary.errors] == [
        (3, "empty text"), (4, "duplicate id in this file"), (5, "invalid JSON")]


def test_hostile_text_is_stored_and_returned_literally(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "h.csv", HOSTILE,
                                 columns=["id", "text", "author", "article_title"]),
                keyword_model)
    with store.read() as conn:
        stored = {row.external_id: row for row in conn.execute(sa.select(comments))}
        assert conn.execute(sa.select(sa.func.count()).select_from(comments)).scalar() == 2
    for row in HOSTILE:
        got = stored[row["id"]]
        assert (got.text, got.author, got.article_title) == (row["text"], row["author"],
                                                             row["article_title"])


def test_oversized_text_uses_the_settings_limit(store, keyword_model, tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_MAX_TEXT_CHARS", "50")
    path = write_csv(tmp_path / "big.csv", [{"id": "big", "text": "я" * 51},
                                            {"id": "ok", "text": "я" * 50}])
    summary = ingest_file(store, path, keyword_model)
    assert (summary.stored, summary.rejected) == (1, 1)
    assert "too long" in summary.errors[0].reason


def test_with_a_real_model(store, tiny_model, tmp_path):
    model = load_model(tiny_model)
    summary = ingest_file(store, write_csv(tmp_path / "in.csv", ROWS), model)
    assert summary.stored == 4 and summary.model_version == model.version
    scored = model.score(["Голосуйте за Петренка, він єдиний чесний кандидат!"]).rows()[0]
    assert set(scored.scores) == set(model.labels)
    assert scored.priority == max(scored.scores.values())
    assert scored.flagged == tuple(lb for lb in model.labels
                                   if scored.scores[lb] >= model.thresholds[lb])


def test_rate_out_of_range_is_refused(store, keyword_model, tmp_path):
    with pytest.raises(ValueError, match="between 0 and 1"):
        ingest_file(store, write_csv(tmp_path / "in.csv", ROWS), keyword_model,
                    spot_check_rate=1.5)
