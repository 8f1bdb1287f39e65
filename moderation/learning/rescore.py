"""Re-scoring the comments still open in the queues with a newly promoted model.

For every open queue item (both queues) the new model scores the comment's text; a new
``predictions`` row keeps those scores with the model's version (the old rows stay: each
prediction keeps the version that made it), and the queue item takes the new prediction,
priority, uncertainty and flagged labels.

What a re-score never does: it moves no comment between the queues and closes none. An
open comment the new model no longer flags stays where it is, with no flagged labels and
its new, low priority (so it comes after the flagged ones in «Черга»); a moderator still
decides it, and since nothing is flagged, confirming it needs a chosen label. A spot-check
comment the new model would flag stays in the spot-check sample (moving it would bias the
sample's miss rate); its flags now show. Decided and auto-approved comments are not
re-scored. A moderator holding a comment keeps the claim; a verdict given after the
re-score applies to the new flags.

Each batch is one transaction; an item decided between the read and the write is left as
its moderator decided it (only ``open`` items are updated).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moderation.store import Store
from moderation.store.schema import OPEN, comments, predictions, queue_items, utcnow
from moderation.taxonomy import join_labels

BATCH_SIZE = 500


@dataclass(frozen=True)
class RescoreSummary:
    model_version: str
    rescored: int = 0  # open comments given new scores
    flagged: int = 0  # of them, flagged by the new model
    unflagged: int = 0  # of them, flagged by no label now (they stay open)

    def counts(self) -> dict[str, int]:
        return {"rescored": self.rescored, "flagged": self.flagged, "unflagged": self.unflagged}


def rescore_open(store: Store, model, *, batch_size: int = BATCH_SIZE) -> RescoreSummary:
    """Score every open queue item with ``model`` (``.version``, ``.score(texts)``)."""
    rescored = flagged = 0
    after = 0
    while True:
        with store.read() as conn:
            rows = conn.execute(
                sa.select(queue_items.c.comment_id, comments.c.text)
                .join(comments, comments.c.id == queue_items.c.comment_id)
                .where(queue_items.c.status == OPEN, queue_items.c.comment_id > after)
                .order_by(queue_items.c.comment_id).limit(batch_size)).all()
        if not rows:
            break
        after = rows[-1].comment_id
        scored = model.score([row.text for row in rows]).rows()
        now = utcnow()
        with store.write() as conn:
            prediction_ids = dict(conn.execute(
                predictions.insert().returning(predictions.c.comment_id, predictions.c.id),
                [dict(comment_id=row.comment_id, model_version=model.version,
                      scores=result.scores, flagged_labels=join_labels(result.flagged),
                      created_at=now) for row, result in zip(rows, scored, strict=True)],
            ).all())
            for row, result in zip(rows, scored, strict=True):
                updated = conn.execute(
                    queue_items.update()
                    .where(queue_items.c.comment_id == row.comment_id,
                           queue_items.c.status == OPEN)
                    .values(prediction_id=prediction_ids[row.comment_id],
                            priority=result.priority, uncertainty=result.uncertainty,
                            flagged_labels=join_labels(result.flagged))).rowcount
                if updated:
                    rescored += 1
                    flagged += bool(result.flagged)
    return RescoreSummary(model.version, rescored, flagged, rescored - flagged)
