"""Queue logic on SQLite and PostgreSQL: order, filters, claims, decisions, undo, context."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from helpers import write_csv

from moderation.errors import DataError, StoreError
from moderation.queue import (
    Filters,
    author_history,
    current_item,
    decide,
    history,
    near_duplicates,
    next_item,
    release,
    stats,
    undo,
)
from moderation.queue.ingest import ingest_file

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
COMMENTS = [  # "#0.xx" sets the stand-in model's scores, so the priority order is known
    dict(id="hi", text="Ти дурень #0.95", author="Іван", article_id="a1",
         article_title="Бюджет міста", posted_at="2024-05-01T10:00:00+00:00"),
    dict(id="mid", text="Голосуйте за Петренка! Він врятує місто від злочинців #0.75",
         author="Петро", article_id="a2", article_title="Вибори мера",
         posted_at="2024-05-02T10:00:00+00:00"),
    dict(id="edge", text="ГОЛОСУЙТЕ за Петренка!!! Він врятує місто від злочинців #0.55",
         author="Марко", article_id="a3", article_title="Ремонт доріг",
         posted_at="2024-05-03T10:00:00+00:00"),
    dict(id="ru", text="Это реклама, пишите в telegram #0.85", author="Іван", article_id="a1",
         article_title="Бюджет міста", posted_at="2024-05-04T10:00:00+00:00"),
    dict(id="clean", text="Дякую за статтю", author="Оля", article_id="a1",
         article_title="Бюджет міста", posted_at="2024-05-05T10:00:00+00:00"),
]


@pytest.fixture
def filled(store, keyword_model, tmp_path):
    ingest_file(store, write_csv(tmp_path / "q.csv", COMMENTS), keyword_model,
                spot_check_rate=1.0)
    return store


def ids(store, moderator="m", **kwargs) -> list[str]:
    """Claim and skip until the queue offers a skipped comment back (or is empty); the
    external ids in order. The comment offered back stays claimed: it is released here."""
    out = []
    while (item := next_item(store, moderator, **kwargs)) is not None:
        if item.comment.external_id in out:
            release(store, moderator)
            break
        out.append(item.comment.external_id)
        decide(store, item.comment.id, moderator, "skip")
    return out


def test_priority_and_uncertain_orders(filled):
    assert ids(filled, "a") == ["hi", "ru", "mid", "edge"]
    assert ids(filled, "b", order="uncertain") == ["edge", "mid", "ru", "hi"]
    assert ids(filled, "c", queue="spot_check") == ["clean"]


@pytest.mark.parametrize("filters, expected", [
    (Filters(label="political_pr"), ["mid", "edge"]),
    (Filters(article="a1"), ["hi", "ru"]),
    (Filters(article="ВИБОРИ"), ["mid"]),
    (Filters(lang="ru"), ["ru"]),
    (Filters(author="Петро"), ["mid"]),
    (Filters(since=datetime(2024, 5, 2, tzinfo=UTC),
             until=datetime(2024, 5, 3, 23, tzinfo=UTC)), ["mid", "edge"]),
    (Filters(author="' OR '1'='1"), []),
    (Filters(article="%"), []),
    (Filters(article="'; DROP TABLE comments; --"), []),
])
def test_filters(filled, filters, expected):
    assert ids(filled, filters=filters) == expected
    assert len(ids(filled, "other")) == 4  # nothing was dropped by a hostile filter


def test_unknown_filter_values_are_refused():
    with pytest.raises(DataError, match="unknown label"):
        Filters(label="spam")
    with pytest.raises(DataError, match="unknown language"):
        Filters(lang="en")


def test_two_moderators_never_hold_the_same_comment(filled):
    a = next_item(filled, "a")
    b = next_item(filled, "b")
    assert a.comment.id != b.comment.id
    assert next_item(filled, "a").comment.id == a.comment.id  # asking again keeps the claim
    with pytest.raises(StoreError, match="held by another moderator"):
        decide(filled, a.comment.id, "b", "confirm")
    release(filled, "a")
    with pytest.raises(StoreError, match="does not hold"):
        decide(filled, a.comment.id, "a", "confirm")


def test_a_claim_expires(filled):
    a = next_item(filled, "a", now=T0)
    later = T0 + timedelta(minutes=filled.claim_minutes + 1)
    b = next_item(filled, "b", now=later)
    assert b.comment.id == a.comment.id
    with pytest.raises(StoreError, match="held by another moderator"):
        decide(filled, a.comment.id, "a", "confirm")
    assert decide(filled, b.comment.id, "b", "confirm").moderator == "b"


def test_actions_and_their_final_labels(filled):
    item = next_item(filled, "m")
    assert item.comment.external_id == "hi" and item.flagged_labels == ("insult",)
    confirm = decide(filled, item.comment.id, "m", "confirm", note="<b>note</b>")
    assert confirm.labels == item.flagged_labels and confirm.hides
    assert confirm.note == "<b>note</b>" and confirm.model_version == "keyword-1"
    item = next_item(filled, "m")
    assert decide(filled, item.comment.id, "m", "override").labels == ()
    item = next_item(filled, "m")
    relabel = decide(filled, item.comment.id, "m", "relabel", ["insult", "political_pr"])
    assert relabel.labels == ("political_pr", "insult")  # canonical order
    with pytest.raises(StoreError, match="decided already"):
        decide(filled, item.comment.id, "m", "confirm")
    item = next_item(filled, "m")
    with pytest.raises(DataError, match="override means"):
        decide(filled, item.comment.id, "m", "override", ["insult"])
    with pytest.raises(DataError, match="unknown label"):
        decide(filled, item.comment.id, "m", "relabel", ["spam"])
    with pytest.raises(ValueError, match="unknown action"):
        decide(filled, item.comment.id, "m", "delete")
    spot = next_item(filled, "m", queue="spot_check")
    with pytest.raises(DataError, match="confirm needs at least one label"):
        decide(filled, spot.comment.id, "m", "confirm")
    assert decide(filled, spot.comment.id, "m", "confirm", ["advertising"]).labels == (
        "advertising",)


def test_skip_releases_the_comment_to_others_only(filled):
    item = next_item(filled, "a")
    skip = decide(filled, item.comment.id, "a", "skip")
    assert skip.labels is None
    assert next_item(filled, "a").comment.id != item.comment.id
    assert next_item(filled, "b").comment.id == item.comment.id


def test_undo_puts_the_comment_back_and_walks_back(filled):
    first = next_item(filled, "m")
    d1 = decide(filled, first.comment.id, "m", "confirm")
    second = next_item(filled, "m")
    d2 = decide(filled, second.comment.id, "m", "override")
    u2 = undo(filled, "m")
    assert (u2.action, u2.reverts_id, u2.comment_id) == ("undo", d2.id, second.comment.id)
    assert current_item(filled, "m").comment.id == second.comment.id
    assert next_item(filled, "m").comment.id == second.comment.id
    u1 = decide(filled, None, "m", "undo")
    assert u1.reverts_id == d1.id
    assert current_item(filled, "m").comment.id == first.comment.id
    with pytest.raises(StoreError, match="nothing to undo"):
        undo(filled, "m")
    with pytest.raises(StoreError, match="nothing to undo"):
        undo(filled, "someone else")
    again = decide(filled, first.comment.id, "m", "relabel", ["insult"])
    frame = history(filled)
    assert list(frame["action"]) == ["relabel", "undo", "undo", "override", "confirm"]
    assert again.labels == ("insult",)


def test_release_gives_the_claim_back(filled):
    item = next_item(filled, "a")
    release(filled, "a")
    assert current_item(filled, "a") is None
    assert next_item(filled, "b").comment.id == item.comment.id


def test_near_duplicates_find_the_copy_paste_campaign(filled):
    item = next_item(filled, "m", filters=Filters(author="Петро"))
    dups = near_duplicates(filled, item.comment.id)
    assert dups.count == 1
    assert dups.items[0].comment.external_id == "edge" and dups.items[0].similarity >= 0.7
    other = next_item(filled, "m", filters=Filters(author="Оля")) or next_item(
        filled, "m", queue="spot_check")
    assert near_duplicates(filled, other.comment.id).count == 0


def test_author_history(filled):
    item = next_item(filled, "m")
    decide(filled, item.comment.id, "m", "confirm")
    hist = author_history(filled, "Іван")
    assert (hist.total, hist.hidden) == (2, 1)
    assert [e.comment.external_id for e in hist.entries] == ["ru", "hi"]
    assert hist.entries[1].verdict == "confirm" and hist.entries[0].verdict is None
    assert author_history(filled, "' OR 1=1 --").total == 0


def test_history_filters_and_literal_text(filled, keyword_model, tmp_path):
    ingest_file(filled, write_csv(tmp_path / "x.csv", [
        dict(id="x", text="<script>alert(1)</script> дурень", author="<img src=x>")]),
        keyword_model)
    while (item := next_item(filled, "m")) is not None:
        if item.comment.external_id == "x":
            decide(filled, item.comment.id, "m", "confirm", note="'; DROP TABLE decisions; --")
        else:
            decide(filled, item.comment.id, "m", "override")
    frame = history(filled, label="insult")
    assert list(frame["text"]) == ["<script>alert(1)</script> дурень"]
    assert list(frame["note"]) == ["'; DROP TABLE decisions; --"]
    assert list(frame["author"]) == ["<img src=x>"]
    assert len(history(filled, action="override")) == 4
    assert len(history(filled, moderator="' OR '1'='1")) == 0
    assert len(history(filled, since=datetime.now(UTC) + timedelta(hours=1))) == 0
    with pytest.raises(DataError, match="unknown action"):
        history(filled, action="drop")


def test_stats(filled):
    for action, labels in (("confirm", None), ("override", None), ("relabel", ["insult"])):
        item = next_item(filled, "m")
        decide(filled, item.comment.id, "m", action, labels)
    spot = next_item(filled, "m", queue="spot_check")
    decide(filled, spot.comment.id, "m", "relabel", ["advertising"])
    s = stats(filled)
    assert s.open == {"review": 1, "spot_check": 0}
    assert (s.reviewed, s.spot_checked) == (3, 1)
    assert s.override_rate == pytest.approx(1 / 3)
    assert s.spot_check_miss_rate == 1.0
    assert s.flag_precision["insult"] == 1.0  # hi: flagged insult, confirmed
    assert s.flag_precision["advertising"] == 0.0  # ru: overridden
    assert s.flag_precision["political_pr"] == 0.0  # mid: relabelled insult
    assert s.flag_precision["improper"] is None
    assert s.decisions_per_day["decisions"].sum() == 4


@pytest.mark.parametrize("field", ["article", "author"])
def test_nul_in_a_filter_is_refused_before_sql(field):
    from moderation.errors import DataError
    from moderation.queue import Filters

    with pytest.raises(DataError, match="without NUL"):
        Filters(**{field: "abc\x00' OR 1=1"})


def test_moderator_metrics(filled):
    from moderation.queue import moderator_metrics

    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    plan = [("anna", "confirm", None, 0), ("anna", "override", None, 30),
            ("anna", "relabel", ["insult"], 90),  # 60 s after the last one
            ("bohdan", "confirm", None, 60 * 60 * 24)]  # the next day
    for moderator, action, labels, seconds in plan:
        item = next_item(filled, moderator)
        decide(filled, item.comment.id, moderator, action, labels,
               now=t0 + timedelta(seconds=seconds))
    spot = next_item(filled, "anna", queue="spot_check")
    decide(filled, spot.comment.id, "anna", "confirm", ["advertising"],
           now=t0 + timedelta(minutes=40))  # after a 38-minute break: not timed
    frame = moderator_metrics(filled).set_index("moderator")
    anna, bohdan = frame.loc["anna"], frame.loc["bohdan"]
    assert (anna["decisions"], anna["days"], anna["per_day"]) == (4, 1, 4.0)
    assert anna["override_rate"] == pytest.approx(1 / 3)  # review verdicts only
    assert anna["relabel_rate"] == pytest.approx(1 / 3)
    assert (anna["median_seconds"], anna["timed"]) == (45.0, 2)  # 30 s and 60 s
    assert (bohdan["decisions"], bohdan["override_rate"], bohdan["timed"]) == (1, 0.0, 0)
    assert bohdan["median_seconds"] is None or pd.isna(bohdan["median_seconds"])
    later = moderator_metrics(filled, since=t0 + timedelta(hours=1))
    assert list(later["moderator"]) == ["bohdan"]
    assert moderator_metrics(filled, until=t0 - timedelta(days=1)).empty
