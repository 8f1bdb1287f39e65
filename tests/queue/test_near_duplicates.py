"""Near-duplicate search on SQLite and PostgreSQL: copies with their own first line or their
lines reordered are found across authors and articles; different comments on one topic
are not."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from campaigns import CASINO, JOB_BODY, JOBS, SAME_TOPIC, rows
from helpers import write_csv

from moderation.queue import near_duplicates
from moderation.queue.ingest import ingest_file
from moderation.queue.sketches import BANDS, band_keys, overlap, shingles
from moderation.store.schema import comments


@pytest.fixture
def campaigns(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "c.csv", rows()), keyword_model,
                spot_check_rate=1.0)
    with store.read() as conn:
        ids = dict(conn.execute(sa.select(comments.c.external_id, comments.c.id)).all())
    return store, ids


def found(store, comment_id) -> set[str]:
    return {d.comment.external_id for d in near_duplicates(store, comment_id).items}


@pytest.mark.parametrize("prefix, size", [("casino", 3), ("job", 4), ("pol", 4)])
def test_every_copy_finds_the_rest_of_its_campaign(campaigns, prefix, size):
    store, ids = campaigns
    for i in range(size):
        assert found(store, ids[f"{prefix}{i}"]) == {f"{prefix}{j}" for j in range(size)
                                                     if j != i}


def test_different_comments_on_one_topic_do_not_cluster(campaigns):
    store, ids = campaigns
    for i in range(len(SAME_TOPIC)):
        assert near_duplicates(store, ids[f"topic{i}"]).count == 0


def test_a_new_first_line_and_reordered_lines_keep_most_shingles():
    a, b = shingles(JOBS[0]), shingles(JOBS[1])
    assert overlap(a, b) >= 0.75
    assert shingles(JOBS[3]) == shingles(JOB_BODY)  # only the line order differs
    assert overlap(shingles(CASINO[0]), shingles(CASINO[2])) >= 0.75


def test_a_short_comment_quoted_in_a_long_one_is_no_copy():
    assert overlap(shingles("Дякую за статтю"), shingles(CASINO[0] + "\nДякую за статтю")) < 0.1


@pytest.mark.parametrize("text, keys", [("", 0), ("!!! ...", 0), ("так", BANDS)])
def test_band_keys(text, keys):
    assert len(band_keys(text)) == keys
    assert band_keys(text) == band_keys(text.upper())
