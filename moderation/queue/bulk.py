"""Bulk actions: hide or keep every open comment of a copy-paste campaign (the
near-duplicates of a comment) or of one author, with one confirmation in the UI.

Each comment goes through the same path as a single decision: it is claimed
(``claims.claim_one``), then ``decisions.decide`` records it, so each gets its own audit
entry (hash chain) and outbox row. Comments another moderator holds are left to them and
reported, as are the ones decided meanwhile and, when hiding with the model's labels, the
ones the model flagged nothing on.

    ids = campaign_open(store, item.comment.id)     # or author_open(store, author)
    result = bulk_decide(store, "olena", ids, "confirm")        # or "override"
    result.decided, result.held, result.closed, result.unlabelled
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from moderation.errors import AlreadyDecided, ClaimLost, LabelsRequired, NotQueued, Superseded
from moderation.queue.claims import check_moderator, claim_one, release_one
from moderation.queue.context import MAX_CANDIDATES, near_duplicates
from moderation.queue.decisions import decide
from moderation.queue.records import is_current
from moderation.store import Store
from moderation.store.schema import OPEN, claims, comments, queue_items, utcnow

BULK_ACTIONS = ("confirm", "override")  # hide all, keep all


@dataclass(frozen=True)
class BulkResult:
    decided: tuple[int, ...]  # comment ids decided now, one decision each
    held: tuple[int, ...]  # another moderator holds them: left to them
    closed: tuple[int, ...]  # no longer open (decided or edited meanwhile, not queued)
    unlabelled: tuple[int, ...]  # hide with the model's labels, but it flagged none


@dataclass(frozen=True)
class OpenComments:
    """Open comments of a cluster: ``ids`` (ascending) and how many of them another
    moderator holds right now (a bulk action leaves those to them)."""

    ids: tuple[int, ...]
    held_by_others: int


def open_comments(store: Store, comment_ids: Iterable[int], moderator: str) -> OpenComments:
    """Which of ``comment_ids`` are open in a queue (and how many others hold)."""
    wanted = sorted(set(comment_ids))
    if not wanted:
        return OpenComments((), 0)
    with store.read() as conn:
        rows = conn.execute(
            sa.select(queue_items.c.comment_id, claims.c.moderator, claims.c.expires_at)
            .outerjoin(claims, claims.c.comment_id == queue_items.c.comment_id)
            .where(queue_items.c.comment_id.in_(wanted), queue_items.c.status == OPEN)
            .order_by(queue_items.c.comment_id)).all()
    now = utcnow()
    held = sum(1 for r in rows if r.moderator not in (None, moderator) and r.expires_at > now)
    return OpenComments(tuple(r.comment_id for r in rows), held)


def campaign_open(store: Store, comment_id: int, moderator: str) -> OpenComments:
    """The open comments of ``comment_id``'s near-duplicate cluster, itself included."""
    dups = near_duplicates(store, comment_id, limit=MAX_CANDIDATES)
    return open_comments(store, [comment_id, *(d.comment.id for d in dups.items)], moderator)


def author_open(store: Store, author: str, moderator: str) -> OpenComments:
    """Every open comment of ``author`` (current versions)."""
    with store.read() as conn:
        ids = conn.scalars(sa.select(comments.c.id)
                           .join(queue_items, queue_items.c.comment_id == comments.c.id)
                           .where(comments.c.author == author, is_current(),
                                  queue_items.c.status == OPEN)).all()
    return open_comments(store, ids, moderator)


def bulk_decide(store: Store, moderator: str, comment_ids: Iterable[int], action: str, *,
                labels: Iterable[str] | None = None, note: str | None = None) -> BulkResult:
    """``action`` (``confirm``: hide, ``override``: keep) on every open comment of
    ``comment_ids``, each claimed and decided on its own (one decision each).

    ``confirm`` hides each with ``labels`` when given (the same for all), otherwise with
    the labels the model flagged on it; ``override`` takes no labels.
    """
    check_moderator(moderator)
    if action not in BULK_ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}; expected one of "
                         f"{', '.join(BULK_ACTIONS)}")
    chosen = None if labels is None else list(labels)
    if action == "override" and chosen:
        raise ValueError("keeping comments (override) takes no labels")
    if action == "confirm" and chosen is not None and not chosen:
        raise LabelsRequired("hiding needs at least one label: give labels, or None for "
                             "the model's labels of each comment", field="labels")
    done: dict[str, list[int]] = {"decided": [], "held": [], "closed": [], "unlabelled": []}
    for comment_id in sorted(set(comment_ids)):
        if not claim_one(store, comment_id, moderator):
            done["closed" if _closed(store, comment_id) else "held"].append(comment_id)
            continue
        try:
            decide(store, comment_id, moderator, action,
                   chosen if action == "confirm" else None, note)
        except LabelsRequired:
            release_one(store, comment_id, moderator)
            done["unlabelled"].append(comment_id)
        except ClaimLost:
            done["held"].append(comment_id)
        except (AlreadyDecided, Superseded, NotQueued):
            release_one(store, comment_id, moderator)
            done["closed"].append(comment_id)
        else:
            done["decided"].append(comment_id)
    return BulkResult(**{k: tuple(v) for k, v in done.items()})


def _closed(store: Store, comment_id: int) -> bool:
    with store.read() as conn:
        return conn.execute(sa.select(queue_items.c.status)
                            .where(queue_items.c.comment_id == comment_id)).scalar() != OPEN
