"""Ingest a file of comments: read, score with the model, store, route to a queue.

- Idempotent on the comment's external ``id`` and text: a comment already in the store
  with the same text is counted as a duplicate and not scored again, so rerunning an
  interrupted ingest stores each comment exactly once (each batch is one transaction).
- An edit: an ``id`` already in the store with a different text than its current version
  is stored as a new version (``comments.version`` + 1; the old one is kept with its
  decisions), scored and routed like a new comment, and counted as ``edited``. An open
  queue item of an older version is closed as ``superseded`` and its claim released.
- Concurrent ingests of overlapping files do not deadlock: a batch writes its comments in
  external id order (so every writer locks the same keys in the same order), and a batch
  that PostgreSQL still aborts (a deadlock with another writer, a serialization failure) is
  planned and written again (``moderation.store.retry``).
- Flagged (any label at or above its threshold) goes to the ``review`` queue; so does a
  comment whose text or author name holds bidirectional control characters
  (``alerts='bidi'``; counted as flagged), even when the model flags no label, and so does
  every comment of an author a moderator put under watch (``alerts='watched_author'``,
  ``moderation.queue.authors``). The rest is
  auto-approved except a random ``spot_check_rate`` share sent to the ``spot_check`` queue.

``store_batch`` is the one path that stores comments: files go through it a batch at a time
(``ingest_rows``), and so do the comments the site sends to ``moderation serve``
(``moderation.site.comments``).
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from moderation.classifier.model import Scores
from moderation.queue.authors import authors_in_force
from moderation.queue.incoming import IncomingComment, read_comments
from moderation.queue.records import CurrentVersion, StoredScore, current_versions
from moderation.queue.sketches import band_keys
from moderation.settings import get_settings
from moderation.store import Store
from moderation.store.retry import write_retrying
from moderation.store.schema import (
    OPEN,
    SUPERSEDED,
    claims,
    comment_sketches,
    comments,
    ingest_runs,
    predictions,
    queue_items,
    utcnow,
)
from moderation.tables import Problem
from moderation.taxonomy import join_labels
from moderation.text import bidi
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
    stored: int = 0  # new comments
    duplicates: int = 0  # already stored with the same text
    rejected: int = 0
    flagged: int = 0  # of the stored and edited: sent to the review queue
    spot_checked: int = 0  # of the stored and edited: sampled for the spot-check queue
    edited: int = 0  # new versions of stored comments (read = stored + edited + duplicates
    #                  + rejected)
    errors: tuple[Problem, ...] = field(default=(), repr=False)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


COUNTS = ("read", "stored", "duplicates", "rejected", "flagged", "spot_checked", "edited")


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
    run_id = start_run(store, source, model.version)
    totals = dict.fromkeys(COUNTS, 0)
    errors: list[Problem] = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        good = [row for row in batch if isinstance(row, IncomingComment)]
        errors.extend(row for row in batch if isinstance(row, Problem))
        totals["read"] += len(batch)
        totals["rejected"] += len(batch) - len(good)
        counts = store_batch(store, good, model, run_id=run_id, spot_check_rate=spot_check_rate,
                             rng=rng).counts
        for name, value in counts.items():
            totals[name] += value
        totals["duplicates"] += len(good) - counts["stored"] - counts["edited"]
    finish_run(store, run_id, totals)
    return IngestSummary(source=source, model_version=model.version, errors=tuple(errors),
                         **totals)


def start_run(store: Store, source: str, model_version: str) -> int:
    """A new ``ingest_runs`` row (finished by ``finish_run`` with its counts); its id."""
    with store.write() as conn:
        return conn.execute(
            ingest_runs.insert().values(source=source, model_version=model_version,
                                        started_at=utcnow()).returning(ingest_runs.c.id)
        ).scalar_one()


def finish_run(store: Store, run_id: int, totals: dict[str, int]) -> None:
    counts = {k: v for k, v in totals.items() if k in ingest_runs.c}
    with store.write() as conn:
        conn.execute(ingest_runs.update().where(ingest_runs.c.id == run_id)
                     .values(finished_at=utcnow(), **counts))


def _to_store(rows: list[IncomingComment], current: dict[str, CurrentVersion]
              ) -> list[tuple[IncomingComment, int]]:
    """The rows that are new comments or edits, each with the version it will have."""
    out = []
    for row in rows:
        known = current.get(row.external_id)
        if known is None:
            out.append((row, 1))
        elif known.text != row.text:
            out.append((row, known.version + 1))
    return out


def _scores(model: Scorer, rows: list[IncomingComment]) -> dict[str, object]:
    if not rows:
        return {}
    return dict(zip((row.external_id for row in rows), model.score([r.text for r in rows]).rows(),
                    strict=True))


def alerts_of(row: IncomingComment, author_action: str | None = None) -> str | None:
    """What a moderator must be told about a comment beyond its labels (``ALERTS``):
    ``bidi``, and ``watched_author`` when its author is under watch or pre-moderated (the
    site holds the comment until a moderator decides). A banned author's comments are
    rejected by the site and not queued for that."""
    found = []
    if bidi.has_controls(row.text) or bidi.has_controls(row.author):
        found.append("bidi")
    if author_action in ("watch", "premoderate"):
        found.append("watched_author")
    return ";".join(found) or None


@dataclass(frozen=True)
class Batch:
    counts: dict[str, int]  # stored, edited, flagged, spot_checked
    stored: dict[str, StoredScore]  # the new comments and edits, by external id


def store_batch(store: Store, rows: list[IncomingComment], model: Scorer, *,
                run_id: int | None, spot_check_rate: float, rng: random.Random) -> Batch:
    """Store the new comments and edits among ``rows`` (distinct external ids), in one
    transaction; their counts and what was stored for each."""
    rate = spot_check_rate
    counts = dict(stored=0, edited=0, flagged=0, spot_checked=0)
    stored: dict[str, StoredScore] = {}
    if not rows:
        return Batch(counts, stored)
    external_ids = [row.external_id for row in rows]
    with store.read() as conn:
        planned = _to_store(rows, current_versions(conn, external_ids))
    if not planned:  # all stored already with these texts
        return Batch(counts, stored)
    scored = _scores(model, [row for row, _ in planned])  # outside the write lock
    now = utcnow()

    def write(conn: sa.Connection) -> list[tuple[int, str, int]]:
        counts.update(stored=0, edited=0, flagged=0, spot_checked=0)  # again on a retry
        # again under the lock: another ingest may have stored some of them meanwhile
        planned = _to_store(rows, current_versions(conn, external_ids))
        scored.update(_scores(model, [row for row, _ in planned
                                      if row.external_id not in scored]))
        # one order for every writer (by external id), so two ingests of overlapping files
        # lock the same keys in the same order and never wait for each other in a circle
        planned.sort(key=lambda planned_row: planned_row[0].external_id)
        inserted = conn.execute(
            store.insert(comments)
            .on_conflict_do_nothing(index_elements=["external_id", "version"])
            .returning(comments.c.id, comments.c.external_id, comments.c.version),
            [dict(external_id=r.external_id, version=version, article_id=r.article_id,
                  article_title=r.article_title, article_url=r.article_url, author=r.author,
                  text=r.text, lang=guess_lang(r.text), posted_at=r.posted_at,
                  parent_id=r.parent_id, article_snippet=r.article_snippet,
                  ingested_at=now, ingest_run_id=run_id)
             for r, version in planned],
        ).all() if planned else []
        if not inserted:
            return []
        by_id = {r.external_id: r for r, _ in planned}
        ids = {external_id: comment_id for comment_id, external_id, _ in inserted}
        edits = {external_id: version for _, external_id, version in inserted if version > 1}
        counts["stored"], counts["edited"] = len(inserted) - len(edits), len(edits)
        if edits:
            _supersede(store, conn, sorted(edits), [ids[ext] for ext in sorted(edits)])
        prediction_ids = dict(conn.execute(
            predictions.insert().returning(predictions.c.comment_id, predictions.c.id),
            [dict(comment_id=cid, model_version=model.version, scores=scored[ext].scores,
                  flagged_labels=join_labels(scored[ext].flagged), created_at=now)
             for ext, cid in ids.items()],
        ).all())
        items = []
        in_force = authors_in_force(conn, (by_id[ext].author for ext in ids), now)
        for ext, cid in ids.items():
            action = in_force.get(by_id[ext].author)
            result, alerts = scored[ext], alerts_of(by_id[ext], action and action.kind)
            if result.flagged or alerts:
                queue, counts["flagged"] = "review", counts["flagged"] + 1
            elif rng.random() < rate:
                queue, counts["spot_checked"] = "spot_check", counts["spot_checked"] + 1
            else:
                continue
            items.append(dict(comment_id=cid, queue=queue, status=OPEN,
                              prediction_id=prediction_ids[cid], priority=result.priority,
                              uncertainty=result.uncertainty,
                              flagged_labels=join_labels(result.flagged), entered_at=now,
                              alerts=alerts))
        if items:
            conn.execute(queue_items.insert(), items)
        sketches = [dict(comment_id=cid, band=band, key=key) for ext, cid in ids.items()
                    for band, key in enumerate(band_keys(by_id[ext].text))]
        if sketches:
            conn.execute(comment_sketches.insert(), sketches)
        return [(ids[ext], ext, version) for _, ext, version in inserted]

    # PostgreSQL may still abort a batch as a deadlock (with writers outside ingest) or a
    # serialization failure: the whole batch is then planned and written again
    for comment_id, ext, version in write_retrying(store, write):
        result = scored[ext]
        stored[ext] = StoredScore(comment_id, version, result.scores, tuple(result.flagged),
                                  model.version)
    return Batch(counts, stored)


def _supersede(store: Store, conn: sa.Connection, external_ids: list[str],
               new_ids: list[int]) -> None:
    """Close the open queue items of the older versions of ``external_ids`` (the new ones
    are ``new_ids``) as ``superseded`` and release their claims. On PostgreSQL the items
    are locked first in comment id order, the order every ingest locks them in."""
    old_ids = (sa.select(comments.c.id)
               .where(comments.c.external_id.in_(external_ids), comments.c.id.not_in(new_ids))
               .scalar_subquery())
    open_items = (sa.select(queue_items.c.comment_id)
                  .where(queue_items.c.comment_id.in_(old_ids), queue_items.c.status == OPEN)
                  .order_by(queue_items.c.comment_id))
    if store.dialect == "postgresql":
        open_items = open_items.with_for_update()
    closing = conn.scalars(open_items).all()
    if not closing:
        return
    conn.execute(queue_items.update().where(queue_items.c.comment_id.in_(closing))
                 .values(status=SUPERSEDED))
    conn.execute(claims.delete().where(claims.c.comment_id.in_(closing)))
