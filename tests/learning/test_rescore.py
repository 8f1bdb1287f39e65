"""Re-scoring the open comments with a new model (SQLite and PostgreSQL)."""
from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from helpers import KeywordModel
from loop import ingest, site_rows

from moderation.classifier.model import Scores
from moderation.learning.rescore import rescore_open
from moderation.queue import decide, next_item
from moderation.store.schema import comments, predictions, queue_items
from moderation.taxonomy import LABELS


class AdsOnly:
    """A new model that flags advertising only (at 0.8) and nothing else."""

    version = "ads-only-2"

    def score(self, texts):
        base = KeywordModel().score(texts).proba
        proba = np.full_like(base, 0.05)
        ads = LABELS.index("advertising")
        proba[:, ads] = np.where(base[:, ads] > 0.5, 0.8, 0.05)
        return Scores(LABELS, proba, np.full(len(LABELS), 0.5))


def queue_state(store) -> dict[str, tuple]:
    with store.read() as conn:
        rows = conn.execute(
            sa.select(comments.c.external_id, queue_items.c.queue, queue_items.c.status,
                      queue_items.c.flagged_labels, queue_items.c.priority,
                      queue_items.c.uncertainty, predictions.c.model_version)
            .join(queue_items, queue_items.c.comment_id == comments.c.id)
            .join(predictions, predictions.c.id == queue_items.c.prediction_id)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_open_comments_get_the_new_scores_and_stay_in_their_queue(store, tmp_path):
    rows = site_rows()
    ingest(store, tmp_path, rows)
    decided = next_item(store, "marta")  # decided before the promotion: left alone
    decide(store, decided.comment.id, "marta", "confirm")
    before = queue_state(store)
    with store.read() as conn:
        n_predictions = conn.execute(sa.select(sa.func.count()).select_from(predictions)).scalar()
    open_before = [k for k, v in before.items() if v[1] == "open"]

    summary = rescore_open(store, AdsOnly(), batch_size=7)  # several batches
    after = queue_state(store)
    assert summary.rescored == len(open_before)
    ads = {r["id"] for r in rows if KeywordModel().predict([r["text"]])[0].count("advertising")}
    assert summary.flagged == len(ads & set(open_before))
    assert summary.unflagged == summary.rescored - summary.flagged
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(predictions)).scalar() \
            == n_predictions + summary.rescored  # the old predictions stay
    for ext in open_before:
        queue, status, flags, priority, uncertainty, version = after[ext]
        assert (queue, status, version) == (before[ext][0], "open", "ads-only-2")
        if ext in ads:
            assert (flags, priority) == ("advertising", 0.8)
        else:  # no longer flagged: still open, no flags, sinks to the bottom
            assert (flags, priority) == ("", 0.05)
        assert np.isclose(uncertainty, 0.3 if ext in ads else 0.45)
    assert after[decided.comment.external_id] == before[decided.comment.external_id]
    # the queue order follows the new scores: advertising first
    first = next_item(store, "taras")
    assert first.comment.external_id in ads and first.model_version == "ads-only-2"


def test_nothing_open_nothing_rescored(store):
    summary = rescore_open(store, AdsOnly())
    assert summary.counts() == {"rescored": 0, "flagged": 0, "unflagged": 0}
