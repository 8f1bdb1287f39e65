"""Training rows from the store, and which decisions a model saw (SQLite and PostgreSQL)."""
from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from loop import decide_gold, ingest, site_rows

from moderation.learning.data import DECISIONS_SOURCE, decisions_seen, no_rows, training_set
from moderation.queue import decide, next_item, undo
from moderation.store.schema import decisions
from moderation.taxonomy import LABELS


def max_decision(store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.max(decisions.c.id))).scalar() or 0


def test_seed_then_decided_rows_with_their_decisions(store, tmp_path, tiny_seed):
    rows = site_rows()
    ingest(store, tmp_path, rows)
    empty = training_set(store)
    assert (len(empty.data), empty.decisions, empty.decisions_until) == (len(tiny_seed), 0, 0)
    gold = {r["id"]: r["labels"] for r in rows}
    decided = decide_gold(store, gold, limit=10)
    data = training_set(store)
    assert data.decisions == 10 and len(data.data) == len(tiny_seed) + 10
    assert data.decisions_until == max_decision(store)
    assert list(data.data.frame["source"].iloc[len(tiny_seed):]) == [DECISIONS_SOURCE] * 10
    by_id = dict(zip(data.data.frame["id"], data.data.Y))
    for ext in decided:
        expected = [int(label in gold[ext].split(";")) for label in LABELS]
        assert list(by_id[ext]) == expected
    assert (data.first_decision[:len(tiny_seed)] == 0).all()
    alone = training_set(store, base=no_rows())  # decisions without any seed rows
    assert len(alone.data) == 10 and alone.decided.all()
    assert (data.first_decision[len(tiny_seed):] > 0).all()
    # decisions after a model's decisions_until are the rows it never saw
    until = data.decisions_until
    decide_gold(store, gold, limit=5)
    later = training_set(store)
    unseen = later.unseen_by(until)
    assert unseen.sum() == 5
    assert set(later.data.frame["id"][unseen]).isdisjoint(decided)
    assert not later.unseen_by(later.decisions_until).any()


def test_an_undone_and_redecided_comment_counts_as_seen_from_its_first_verdict(store, tmp_path,
                                                                                tiny_seed):
    ingest(store, tmp_path, site_rows()[4:5])  # flagged: in the review queue
    item = next_item(store, "marta")
    decide(store, item.comment.id, "marta", "relabel", ["insult"])
    first_verdict = max_decision(store)
    model_until = training_set(store).decisions_until  # a model trained now saw the comment
    undo(store, "marta")
    assert training_set(store).decisions == 0  # undone: not a training row
    item = next_item(store, "marta")
    decide(store, item.comment.id, "marta", "relabel", ["improper"])
    data = training_set(store)
    row = np.flatnonzero(data.decided)[0]
    assert data.data.Y[row, LABELS.index("improper")] == 1  # the verdict in force
    assert data.data.Y[row, LABELS.index("insult")] == 0
    assert data.first_decision[row] == first_verdict
    assert not data.unseen_by(model_until).any()  # that model saw its text: never held out


def test_decisions_seen_from_a_manifest():
    assert decisions_seen({"decisions_until": 12}) == 12
    assert decisions_seen({"decisions_until": 0}) == 0
    assert decisions_seen({"training_data": {"sources": {"seed_comments.csv": 3240}}}) == 0
    # trained on something else (an exported file of decisions, say): unknown
    assert decisions_seen({"training_data": {"sources": {"seed_comments.csv": 3240,
                                                         "export.csv": 80}}}) is None
    assert decisions_seen({}) is None
    assert decisions_seen({"decisions_until": True}) is None
    assert decisions_seen({"decisions_until": -1}) is None


def test_a_correction_from_history_is_the_training_label(store, tmp_path, tiny_seed):
    from moderation.queue import correct, reopen

    ingest(store, tmp_path, site_rows()[4:6])
    item = next_item(store, "marta")
    decide(store, item.comment.id, "marta", "confirm")  # J: the model's labels
    other = next_item(store, "marta") or next_item(store, "marta", queue="spot_check")
    decide(store, other.comment.id, "marta", "relabel", ["insult"])
    first = training_set(store, base=no_rows())
    correct(store, item.comment.id, "olena", ["advertising", "improper"], "не образа: реклама")
    data = training_set(store, base=no_rows())
    assert data.decisions == 2  # one row per comment: the correction replaced the verdict
    row = list(data.data.frame["id"]).index(item.comment.external_id)
    assert [LABELS[i] for i in np.flatnonzero(data.data.Y[row])] == ["advertising", "improper"]
    assert data.decisions_until == max_decision(store) > first.decisions_until
    reopen(store, other.comment.id, "olena", "перевірити ще раз")
    assert list(training_set(store, base=no_rows()).data.frame["id"]) == [
        item.comment.external_id]  # reopened: no verdict in force, not a training row
