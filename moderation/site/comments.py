"""Comments the site sends as they are posted or edited: scored, stored and queued through
ingest's own path (``moderation.queue.ingest.store_batch``: versions for edits, the bidi
alert, the spot check), then answered with the site's action policy.

    results = submit(store, model, [{"id": "c1", "text": "..."}], policy=..., run_id=...)

- The same id and text again: nothing is stored, the answer is the stored one (the latest
  prediction of that version, with the model version that made it).
- The same id with another text: an edit, stored as a new version, scored and queued again.
- A bad item becomes a ``Problem`` in its place (field and reason); the others are stored.

Request fields are those of a comment file (``moderation.queue.incoming``) with the site's
name ``created_at`` for ``posted_at``.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from moderation.queue.incoming import IncomingComment, check_record
from moderation.queue.ingest import Scorer, store_batch
from moderation.queue.records import StoredScore, current_scores
from moderation.site.policy import ActionPolicy, Reason, reasons_for
from moderation.store import Store
from moderation.tables import Problem

FIELDS = ("id", "text", "author", "article_id", "article_title", "article_url", "parent_id",
          "created_at")
_TO_STORE = {"created_at": "posted_at"}
_TO_SITE = {v: k for k, v in _TO_STORE.items()}
MAX_BATCH = 500


@dataclass(frozen=True)
class Answer:
    """What the site is told about one comment."""

    id: str
    version: int
    labels: tuple[str, ...]
    scores: dict[str, float]
    action: str  # publish | hold | reject
    reasons: tuple[Reason, ...]
    model_version: str


@dataclass(frozen=True)
class Submitted:
    results: tuple[Answer | Problem, ...]  # one per item, in order
    counts: dict[str, int]  # read, rejected, stored, edited, duplicates, flagged, spot_checked


def submit(store: Store, model: Scorer, items: Sequence[dict], *, policy: ActionPolicy,
           run_id: int | None, spot_check_rate: float, max_text_chars: int,
           rng: random.Random | None = None, source: str = "request") -> Submitted:
    """Check, score, store and answer ``items`` (dicts with ``FIELDS``) in one transaction.

    A ``Problem`` has ``line`` = the item's index and ``field`` as the site names it.
    """
    if len(items) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} comments at once, got {len(items)}")
    checked: list[IncomingComment | Problem] = []
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            checked.append(Problem(source, index, "must be a JSON object with id and text",
                                   field="comment"))
            continue
        row = check_record(source, index, _to_store(item), max_text_chars)
        if isinstance(row, IncomingComment):
            seen = first.setdefault(row.external_id, index)
            if seen != index:
                row = Problem(source, index, f"duplicate id in this request (first at item "
                                             f"{seen})", field="id", row_id=row.external_id)
        else:
            row = Problem(row.path, row.line, row.reason, _TO_SITE.get(row.field, row.field),
                          row.row_id)
        checked.append(row)
    good = [row for row in checked if isinstance(row, IncomingComment)]
    counts = dict(read=len(items), rejected=len(items) - len(good))
    batch = store_batch(store, good, model, run_id=run_id, spot_check_rate=spot_check_rate,
                        rng=rng or random.Random())
    counts.update(batch.counts)
    counts["duplicates"] = len(good) - counts["stored"] - counts["edited"]
    stored = dict(batch.stored)
    known = [row.external_id for row in good if row.external_id not in stored]
    if known:  # the same text again: the stored answer
        with store.read() as conn:
            stored.update(current_scores(conn, known))
    results = tuple(row if isinstance(row, Problem) else answer(row.external_id,
                                                                 stored[row.external_id], policy)
                    for row in checked)
    return Submitted(results, counts)


def answer(external_id: str, stored: StoredScore, policy: ActionPolicy) -> Answer:
    """The site's answer for a stored comment version."""
    action, triggered = policy.action(stored.scores)
    return Answer(id=external_id, version=stored.version, labels=stored.flagged,
                  scores=stored.scores, action=action,
                  reasons=reasons_for(stored.flagged + triggered),
                  model_version=stored.model_version)


def _to_store(item: dict) -> dict:
    return {_TO_STORE.get(name, name): item.get(name) for name in FIELDS}
