"""Ingest a file of comments: read, score with the model, store, route to a queue.

- Idempotent on the comment's external ``id``: a comment already in the store is counted
  as a duplicate and not scored again, so rerunning an interrupted ingest stores each
  comment exactly once (each batch is one transaction).
- Flagged (any label at or above its threshold) goes to the ``review`` queue; unflagged is
  auto-approved except a random ``spot_check_rate`` share sent to the ``spot_check`` queue.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from moderation.classifier.model import Scores
from moderation.queue.incoming import IncomingComment, read_comments
from moderation.queue.sketches import band_keys
from moderation.settings import get_settings
from moderation.store import Store
from moderation.store.schema import (
    OPEN,
    comment_sketches,
    comments,
    ingest_runs,
    predictions,
    queue_items,
    utcnow,
)
from moderation.tables import Problem
from moderation.taxonomy import join_labels
from moderation.text.lang import guess_lang

BATCH_SIZE = 500


class Scorer(Protocol):
    """What ingestion needs of a model (``moderation.load_model`` returns one)."""

    version: str

    def score(self, texts: list[str]) -> Scores: ...


@dataclass(frozen=True)
class IngestSummary:
    source: str
    model_version: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    flagged: int = 0
    spot_checked: int = 0
    errors: tuple[Problem, ...] = field(default=(), repr=False)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in
                ("read", "stored", "duplicates", "rejected", "flagged", "spot_checked")}


def ingest_file(store: Store, path: str | Path, model: Scorer, *,
                spot_check_rate: float | None = None, max_text_chars: int | None = None,
                batch_size: int = BATCH_SIZE, rng: random.Random | None = None) -> IngestSummary:
    """Ingest every good row of ``path``; bad rows end up in ``summary.errors``.

    Raises ``DataError`` when the file as a whole is unusable (unknown type, no ``text``).
    """
    settings = get_settings()
    rows = read_comments(path, max_text_chars=max_text_chars or settings.max_text_chars)
    rate = settings.spot_check_rate if spot_check_rate is None else spot_check_rate
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"spot_check_rate must be between 0 and 1, got {rate}")
    return ingest_rows(store, rows, model, source=str(path), spot_check_rate=rate,
                       batch_size=batch_size, rng=rng)


def ingest_rows(store: Store, rows: Sequence[IncomingComment | Problem], model: Scorer, *,
                source: str, spot_check_rate: float, batch_size: int = BATCH_SIZE,
                rng: random.Random | None = None) -> IngestSummary:
    """Store ``rows`` (as ``read_comments`` returns them) in batches of one transaction each."""
    rng = rng or random.Random()
    run_id = _start_run(store, source, model.version)
    totals = dict(read=0, stored=0, duplicates=0, rejected=0, flagged=0, spot_checked=0)
    errors: list[Problem] = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        good = [row for row in batch if isinstance(row, IncomingComment)]
        errors.extend(row for row in batch if isinstance(row, Problem))
        totals["read"] += len(batch)
        totals["rejected"] += len(batch) - len(good)
        stored, flagged, sampled = _store_batch(store, good, model, run_id, spot_check_rate, rng)
        totals["stored"] += stored
        totals["duplicates"] += len(good) - stored
        totals["flagged"] += flagged
        totals["spot_checked"] += sampled
    _finish_run(store, run_id, totals)
    return IngestSummary(source=source, model_version=model.version, errors=tuple(errors),
                         **totals)


def _start_run(store: Store, source: str, model_version: str) -> int:
    with store.write() as conn:
        return conn.execute(
            ingest_runs.insert().values(source=source, model_version=model_version,
                                        started_at=utcnow()).returning(ingest_runs.c.id)
        ).scalar_one()


def _finish_run(store: Store, run_id: int, totals: dict[str, int]) -> None:
    counts = {k: v for k, v in totals.items() if k in ingest_runs.c}
    with store.write() as conn:
        conn.execute(ingest_runs.update().where(ingest_runs.c.id == run_id)
                     .values(finished_at=utcnow(), **counts))


def _store_batch(store: Store, rows: list[IncomingComment], model: Scorer, run_id: int,
                 rate: float, rng: random.Random) -> tuple[int, int, int]:
    """Store the rows not yet in the store, in one transaction: (stored, flagged, sampled)."""
    if not rows:
        return 0, 0, 0
    with store.read() as conn:
        known = set(conn.scalars(sa.select(comments.c.external_id).where(
            comments.c.external_id.in_([row.external_id for row in rows]))))
    new = [row for row in rows if row.external_id not in known]
    scored = dict(zip((row.external_id for row in new),
                      model.score([r.text for r in new]).rows() if new else [], strict=True))
    now = utcnow()
    flagged = sampled = 0
    with store.write() as conn:
        inserted = conn.execute(
            store.insert(comments).on_conflict_do_nothing(index_elements=["external_id"])
            .returning(comments.c.id, comments.c.external_id),
            [dict(external_id=r.external_id, article_id=r.article_id,
                  article_title=r.article_title, article_url=r.article_url, author=r.author,
                  text=r.text, lang=guess_lang(r.text), posted_at=r.posted_at,
                  ingested_at=now, ingest_run_id=run_id) for r in new],
        ).all() if new else []
        ids = {external_id: comment_id for comment_id, external_id in inserted}
        if not ids:
            return 0, 0, 0
        prediction_ids = dict(conn.execute(
            predictions.insert().returning(predictions.c.comment_id, predictions.c.id),
            [dict(comment_id=cid, model_version=model.version, scores=scored[ext].scores,
                  flagged_labels=join_labels(scored[ext].flagged), created_at=now)
             for ext, cid in ids.items()],
        ).all())
        items = []
        for ext, cid in ids.items():
            result = scored[ext]
            if result.flagged:
                queue, flagged = "review", flagged + 1
            elif rng.random() < rate:
                queue, sampled = "spot_check", sampled + 1
            else:
                continue
            items.append(dict(comment_id=cid, queue=queue, status=OPEN,
                              prediction_id=prediction_ids[cid], priority=result.priority,
                              uncertainty=result.uncertainty,
                              flagged_labels=join_labels(result.flagged), entered_at=now))
        if items:
            conn.execute(queue_items.insert(), items)
        texts = {r.external_id: r.text for r in new}
        sketches = [dict(comment_id=cid, band=band, key=key) for ext, cid in ids.items()
                    for band, key in enumerate(band_keys(texts[ext]))]
        if sketches:
            conn.execute(comment_sketches.insert(), sketches)
    return len(ids), flagged, sampled
