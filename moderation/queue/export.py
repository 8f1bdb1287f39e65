"""Decisions as training rows, in the seed corpus's format, for retraining.

One row per decided comment version, from the decision in force (its latest verdict or undo
entry, when that is a verdict: given in the queue, imported, or a correction): ``id`` (the
comment's external id), ``article_title``, ``text``, ``labels`` (``;``-joined final labels,
empty for an allowed comment) and ``lang``. An edited comment gives one row per decided
version, each text with the verdict on that text (same ``id``, so a split by id keeps them
together).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from moderation.queue.context import verdicts_in_force
from moderation.store import Store, open_store
from moderation.store.schema import comments
from moderation.tables import write_table

EXPORT_COLUMNS = ("id", "article_title", "text", "labels", "lang")


def decisions_frame(db: str | Store) -> pd.DataFrame:
    """The decided comments of the store at ``db`` (a URL or an open ``Store``)."""
    store = open_store(db) if isinstance(db, str) else db
    verdicts = verdicts_in_force()
    try:
        with store.read() as conn:
            rows = conn.execute(
                sa.select(comments.c.external_id, comments.c.article_title, comments.c.text,
                          verdicts.c.labels, comments.c.lang)
                .join(verdicts, verdicts.c.comment_id == comments.c.id)
                .order_by(comments.c.id)).all()
    finally:
        if isinstance(db, str):
            store.dispose()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(EXPORT_COLUMNS))
    frame["article_title"] = frame["article_title"].fillna("")
    return frame


def export_decisions(db: str | Store, output: str | Path) -> int:
    """Write ``decisions_frame(db)`` to ``output`` (.csv or .jsonl) atomically; the row count."""
    frame = decisions_frame(db)
    write_table(output, frame.to_dict("records"), list(EXPORT_COLUMNS))
    return len(frame)
