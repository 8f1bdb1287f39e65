"""Deciding on a claimed comment, and undoing a decision; each is one transaction.

Actions (``decide``):

- ``confirm``: the comment breaks the rules (hide it). Final labels: the ones given, or
  else the model's flagged labels; refused when that leaves none.
- ``override``: the comment is allowed (keep it); final labels are empty.
- ``relabel``: save exactly the labels given (empty means allowed).
- ``skip``: recorded (action ``skip``, no labels) for the audit trail; the claim is
  released and the comment stays open for the other moderators, not offered to this one.
- ``undo``: a new decision that reverts this moderator's latest verdict (on ``comment_id``
  if given) and puts that comment back in the queue, claimed by them. Only verdicts given
  in the queue (not imported ones) on a comment's current version can be undone: a version
  an edit replaced keeps its decisions as they are.

Decisions are never updated or deleted (the database refuses it) and each is appended to
the hash chain (``moderation.store.chain``). What is in force on a comment version is its
latest verdict-or-undo entry (``context.verdicts_in_force``): a decided comment is
corrected from «Історія» by appending a new entry (``moderation.queue.corrections``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from moderation.errors import (
    AlreadyDecided,
    AlreadyReopened,
    ClaimLost,
    DataError,
    LabelsRequired,
    NothingToUndo,
    NotQueued,
    QueueError,
    Superseded,
)
from moderation.queue import outbox
from moderation.queue.claims import check_moderator, claim_for, load_item
from moderation.queue.context import is_latest_entry
from moderation.queue.records import DECISION_COLUMNS, Decision, Item, is_current
from moderation.store import Store, chain
from moderation.store.schema import (
    ACTIONS,
    DONE,
    FEED_ACTIONS,
    OPEN,
    QUEUE_VERDICTS,
    SUPERSEDED,
    claims,
    comments,
    decisions,
    predictions,
    queue_items,
    utcnow,
)
from moderation.taxonomy import join_labels, parse_labels


def decide(store: Store, comment_id: int | None, moderator: str, action: str,
           labels: Iterable[str] | None = None, note: str | None = None, *,
           now: datetime | None = None) -> Decision:
    """Record ``moderator``'s ``action`` on the comment they hold; returns the decision.

    Raises ``ClaimLost`` when the moderator does not hold the comment (never claimed, claim
    taken over after expiry), ``AlreadyDecided``, ``Superseded`` (the author edited it),
    ``NotQueued``, and ``DataError`` (or ``LabelsRequired``) for bad labels.
    """
    check_moderator(moderator)
    if action not in ACTIONS or action == "import":
        allowed = ", ".join(a for a in ACTIONS if a != "import")
        raise ValueError(f"unknown action {action!r}; expected one of {allowed} (imports: "
                         "moderation.queue.imports)")
    if action == "undo":
        return undo(store, moderator, comment_id=comment_id, note=note)
    chosen = _parse(labels)
    at = now or utcnow()
    with store.write() as conn:
        item = _lock_item(store, conn, comment_id)
        holder = conn.execute(sa.select(claims.c.moderator)
                              .where(claims.c.comment_id == comment_id)).scalar()
        if item is None or item.status != OPEN or holder != moderator:
            raise _not_held(comment_id, item, holder, moderator)
        final = _final_labels(action, chosen, parse_labels(item.flagged_labels))
        decision = _insert(conn, comment_id=comment_id, moderator=moderator, action=action,
                           labels=final, note=note, queue=item.queue,
                           model_version=item.model_version, decided_at=at)
        conn.execute(claims.delete().where(claims.c.comment_id == comment_id))
        if action != "skip":
            conn.execute(queue_items.update().where(queue_items.c.comment_id == comment_id)
                         .values(status=DONE))
    return decision


def undo(store: Store, moderator: str, *, comment_id: int | None = None,
         note: str | None = None) -> Decision:
    """Revert ``moderator``'s latest verdict still in force (not replaced by a correction
    since); returns the ``undo`` decision.

    The comment goes back to its queue, claimed by ``moderator`` (see ``current_item``).
    Repeated calls walk further back. Raises ``NothingToUndo`` or ``AlreadyReopened``.
    """
    check_moderator(moderator)
    with store.write() as conn:
        query = (sa.select(*DECISION_COLUMNS)
                 .join(comments, comments.c.id == decisions.c.comment_id)
                 .where(decisions.c.moderator == moderator,
                        decisions.c.action.in_(QUEUE_VERDICTS), is_latest_entry(decisions),
                        is_current())
                 .order_by(decisions.c.id.desc()).limit(1))
        if comment_id is not None:
            query = query.where(decisions.c.comment_id == comment_id)
        target = conn.execute(query).first()
        if target is None:
            raise NothingToUndo(f"nothing to undo: {moderator!r} has no decision in force"
                             + (f" on comment {comment_id}" if comment_id is not None else ""))
        item = _lock_item(store, conn, target.comment_id)
        if item is None or item.status != DONE:
            raise AlreadyReopened(f"comment {target.comment_id} is back in the queue already")
        if conn.execute(sa.select(decisions.c.id).where(  # corrected while we looked
                decisions.c.id == target.id, is_latest_entry(decisions))).scalar() is None:
            raise NothingToUndo(f"decision {target.id} was corrected meanwhile: see «Історія»")
        at = utcnow()
        try:
            decision = _insert(conn, comment_id=target.comment_id, moderator=moderator,
                               action="undo", labels=None, note=note, queue=target.queue,
                               model_version=target.model_version, reverts_id=target.id,
                               decided_at=at)
        except sa.exc.IntegrityError as exc:  # a concurrent undo of the same decision
            raise AlreadyReopened(f"decision {target.id} was undone already") from exc
        conn.execute(queue_items.update().where(queue_items.c.comment_id == target.comment_id)
                     .values(status=OPEN, entered_at=at))
        claim_for(store, conn, target.comment_id, moderator)
    return decision


def current_item(store: Store, moderator: str) -> Item | None:
    """The open comment ``moderator`` holds, if any (e.g. the one an undo gave back)."""
    check_moderator(moderator)
    with store.read() as conn:
        comment_id = conn.execute(
            sa.select(claims.c.comment_id)
            .join(queue_items, queue_items.c.comment_id == claims.c.comment_id)
            .where(claims.c.moderator == moderator, queue_items.c.status == OPEN)
            .order_by(claims.c.claimed_at.desc()).limit(1)).scalar()
        return None if comment_id is None else load_item(conn, comment_id)


def _parse(labels: Iterable[str] | None) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        labels = [labels]
    try:
        return parse_labels(";".join(labels))
    except ValueError as exc:
        raise DataError(str(exc), field="labels") from exc


def _final_labels(action: str, chosen: list[str] | None, flagged: list[str]) -> list[str] | None:
    if action == "skip":
        return None
    if action == "override":
        if chosen:
            raise DataError("override means the comment is allowed: give no labels (use "
                            "relabel to save other labels)", field="labels")
        return []
    if action == "relabel":
        if chosen is None:
            raise DataError("relabel needs the labels to save (an empty list means allowed)",
                            field="labels")
        return chosen
    final = flagged if chosen is None else chosen
    if not final:
        raise LabelsRequired("confirm needs at least one label: the model flagged none here, "
                        "so choose the labels the comment breaks", field="labels")
    return final


def _lock_item(store: Store, conn: sa.Connection, comment_id: int | None):
    query = (sa.select(queue_items.c.queue, queue_items.c.status, queue_items.c.flagged_labels,
                       predictions.c.model_version)
             .join(predictions, predictions.c.id == queue_items.c.prediction_id)
             .where(queue_items.c.comment_id == comment_id))
    if store.dialect == "postgresql":
        query = query.with_for_update(of=queue_items)
    return conn.execute(query).first()


def _not_held(comment_id, item, holder, moderator) -> QueueError:
    if item is None:
        return NotQueued(f"comment {comment_id} is not in a review queue")
    if item.status == SUPERSEDED:
        return Superseded(f"comment {comment_id} was edited by its author: the new version "
                          "is scored and queued on its own")
    if item.status != OPEN:
        return AlreadyDecided(f"comment {comment_id} has been decided already")
    if holder is None:
        return ClaimLost(f"{moderator!r} does not hold comment {comment_id}: take it with "
                         "next_item first")
    return ClaimLost(f"comment {comment_id} is held by another moderator (a claim lasts "
                     "claim_minutes); take the next comment")


def _insert(conn: sa.Connection, *, labels: list[str] | None, **values) -> Decision:
    row, = chain.append(conn, [dict(labels=None if labels is None else join_labels(labels),
                                    **values)], returning=DECISION_COLUMNS)
    decision = Decision.from_row(row)
    if decision.action in FEED_ACTIONS:  # the site hears of it: outbox row, same transaction
        outbox.enqueue(conn, [decision.id], decision.decided_at)
    return decision
