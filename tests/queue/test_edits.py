"""Edited comments (same id, new text) are stored as new versions, scored and queued again;
comments with bidirectional controls go to review with an alert. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import write_csv

from moderation.errors import NothingToUndo, Superseded
from moderation.queue import (
    author_history,
    decide,
    history,
    near_duplicates,
    next_item,
    stats,
    undo,
)
from moderation.queue.export import decisions_frame
from moderation.queue.ingest import ingest_file
from moderation.store.schema import claims, comments, ingest_runs, predictions, queue_items

ROWS = [
    {"id": "c1", "text": "Голосуйте за Петренка!", "author": "Іван", "article_id": "a1"},
    {"id": "c2", "text": "Дякую за статтю, дуже корисно", "author": "Петро", "article_id": "a1"},
    {"id": "c3", "text": "Коли відремонтують міст?", "author": "Оля", "article_id": "a2"},
]
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def ingest(store, model, tmp_path, rows, name="in.csv", rate=0.0, **kwargs):
    return ingest_file(store, write_csv(tmp_path / name, rows), model, spot_check_rate=rate,
                       **kwargs)


def edited(rows, **texts):
    return [dict(row, text=texts.get(row["id"], row["text"])) for row in rows]


def versions(store, external_id):
    """(version, text, queue, status, alerts) of each stored version, oldest first."""
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(comments.c.version, comments.c.text, queue_items.c.queue,
                      queue_items.c.status, queue_items.c.alerts)
            .outerjoin(queue_items, queue_items.c.comment_id == comments.c.id)
            .where(comments.c.external_id == external_id).order_by(comments.c.version))]


def test_an_edit_is_a_new_version_scored_and_queued(store, keyword_model, tmp_path):
    first = ingest(store, keyword_model, tmp_path, ROWS)
    assert (first.stored, first.edited, first.flagged) == (3, 0, 1)
    summary = ingest(store, keyword_model, tmp_path, edited(ROWS, c2="Ти дурень, Петро"),
                     name="edit.csv")
    assert summary.counts() == dict(read=3, stored=0, edited=1, duplicates=2, rejected=0,
                                    flagged=1, spot_checked=0)
    assert versions(store, "c2") == [
        (1, "Дякую за статтю, дуже корисно", None, None, None),
        (2, "Ти дурень, Петро", "review", "open", None)]
    with store.read() as conn:
        scored = conn.execute(
            sa.select(comments.c.version, predictions.c.flagged_labels)
            .join(predictions, predictions.c.comment_id == comments.c.id)
            .where(comments.c.external_id == "c2").order_by(comments.c.version)).all()
        run = conn.execute(sa.select(ingest_runs.c.edited, ingest_runs.c.stored)
                           .order_by(ingest_runs.c.id.desc()).limit(1)).one()
    assert [tuple(r) for r in scored] == [(1, ""), (2, "insult")]
    assert tuple(run) == (1, 0)


def test_the_same_text_again_stays_a_duplicate(store, keyword_model, tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    changed = edited(ROWS, c3="Коли вже відремонтують міст? Рік чекаємо")
    assert ingest(store, keyword_model, tmp_path, changed, name="e1.csv").edited == 1
    again = ingest(store, keyword_model, tmp_path, changed, name="e2.csv", batch_size=2)
    assert (again.stored, again.edited, again.duplicates) == (0, 0, 3)
    # the original text again is an edit of the current version (the author reverted it)
    back = ingest(store, keyword_model, tmp_path, ROWS, name="e3.csv")
    assert (back.edited, back.duplicates) == (1, 2)
    assert [v[0] for v in versions(store, "c3")] == [1, 2, 3]


def test_an_unflagged_edit_is_sampled_like_a_new_comment(store, keyword_model, tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    summary = ingest(store, keyword_model, tmp_path, edited(ROWS, c3="Міст уже відремонтували"),
                     name="edit.csv", rate=1.0)
    assert (summary.edited, summary.flagged, summary.spot_checked) == (1, 0, 1)
    assert versions(store, "c3")[-1][2:4] == ("spot_check", "open")


def test_an_open_older_version_is_superseded_and_its_claim_released(store, keyword_model,
                                                                   tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    held = next_item(store, "olena")
    assert held.comment.external_id == "c1" and held.comment.version == 1
    ingest(store, keyword_model, tmp_path, edited(ROWS, c1="Голосуйте за Петренка, він чесний!"),
           name="edit.csv")
    assert [v[3] for v in versions(store, "c1")] == ["superseded", "open"]
    with store.read() as conn:
        assert conn.execute(sa.select(claims.c.comment_id)).all() == []
    with pytest.raises(Superseded, match="edited by its author"):
        decide(store, held.comment.id, "olena", "confirm")
    fresh = next_item(store, "olena")
    assert (fresh.comment.external_id, fresh.comment.version) == ("c1", 2)
    assert fresh.comment.text == "Голосуйте за Петренка, він чесний!"
    decide(store, fresh.comment.id, "olena", "confirm")
    assert next_item(store, "olena") is None
    assert stats(store).open == {"review": 0, "spot_check": 0}


def test_each_version_keeps_its_own_decision(store, keyword_model, tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    first = next_item(store, "olena")
    decide(store, first.comment.id, "olena", "confirm")  # c1 v1: political_pr
    ingest(store, keyword_model, tmp_path, edited(ROWS, c1="Ти дурень"), name="edit.csv")
    second = next_item(store, "petro")
    assert (second.comment.external_id, second.comment.version) == ("c1", 2)
    decide(store, second.comment.id, "petro", "relabel", ["insult", "improper"])
    frame = history(store)
    assert [tuple(r) for r in frame[["external_id", "version", "text", "labels"]].itertuples(
        index=False)] == [("c1", 2, "Ти дурень", "insult;improper"),
                          ("c1", 1, "Голосуйте за Петренка!", "political_pr")]
    export = decisions_frame(store)
    assert [tuple(r) for r in export[["id", "text", "labels"]].itertuples(index=False)] == [
        ("c1", "Голосуйте за Петренка!", "political_pr"),
        ("c1", "Ти дурень", "insult;improper")]


def test_undo_leaves_decisions_on_replaced_versions_alone(store, keyword_model, tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    item = next_item(store, "olena")
    decide(store, item.comment.id, "olena", "confirm")
    ingest(store, keyword_model, tmp_path, edited(ROWS, c1="Голосуйте, бо інакше кінець"),
           name="edit.csv")
    with pytest.raises(NothingToUndo):
        undo(store, "olena")
    assert [v[3] for v in versions(store, "c1")] == ["done", "open"]


def test_author_history_and_near_duplicates_see_current_versions(store, keyword_model,
                                                                 tmp_path):
    rows = ROWS + [{"id": "c4", "text": "Дякую за статтю, дуже корисно!!", "author": "Марко",
                    "article_id": "a2"}]
    ingest(store, keyword_model, tmp_path, rows)
    ingest(store, keyword_model, tmp_path,
           edited(rows, c2="Дякую за статтю, дуже корисно і цікаво"), name="edit.csv")
    history_ = author_history(store, "Петро")
    assert history_.total == 1
    assert [e.comment.version for e in history_.entries] == [2]
    with store.read() as conn:
        ids = dict(conn.execute(sa.select(comments.c.external_id, comments.c.id)
                                .where(comments.c.version == 1)).all())
    dups = near_duplicates(store, ids["c4"], threshold=0.5)
    assert [(d.comment.external_id, d.comment.version) for d in dups.items] == [("c2", 2)]


def test_bidi_controls_send_a_comment_to_review_with_an_alert(store, keyword_model, tmp_path):
    rows = [
        {"id": "b1", "text": f"{RLO}ікнжиз ідохирп{PDF}", "author": "Оля"},  # no label flagged
        {"id": "b2", "text": "Дякую за новину", "author": f"{LRI}Адмін{PDI}"},
        {"id": "b3", "text": f"Ти дурень {RLO}!{PDF}", "author": "Петро"},
        {"id": "b4", "text": "Дякую за новину", "author": "Оля"},
    ]
    summary = ingest(store, keyword_model, tmp_path, rows)
    assert (summary.stored, summary.flagged, summary.spot_checked) == (4, 3, 0)
    assert {ext: versions(store, ext)[0][2:] for ext in ("b1", "b2", "b3", "b4")} == {
        "b1": ("review", "open", "bidi"), "b2": ("review", "open", "bidi"),
        "b3": ("review", "open", "bidi"), "b4": (None, None, None)}
    seen = {}
    while (item := next_item(store, "olena")) is not None:
        seen[item.comment.external_id] = (item.alerts, item.flagged_labels)
        decide(store, item.comment.id, "olena", "override")
    assert seen == {"b1": (("bidi",), ()), "b2": (("bidi",), ()),
                    "b3": (("bidi",), ("insult",))}


def test_an_edit_that_adds_bidi_controls_is_reviewed(store, keyword_model, tmp_path):
    ingest(store, keyword_model, tmp_path, ROWS)
    summary = ingest(store, keyword_model, tmp_path,
                     edited(ROWS, c3=f"Коли відремонтують міст? {RLO}margelet v ishyp{PDF}"),
                     name="edit.csv")
    assert (summary.edited, summary.flagged) == (1, 1)
    assert versions(store, "c3")[-1][2:] == ("review", "open", "bidi")
