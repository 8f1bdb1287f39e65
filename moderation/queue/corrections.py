"""Correcting a decided comment from «Історія»: relabel it, or reopen it for the queue.

Both append a new decision (nothing is changed: the audit trail stays append-only and
hash-chained) and need a note saying why:

- ``correct(store, comment_id, moderator, labels, note)``: a ``relabel`` entry with the
  right labels (empty: allowed). It becomes the verdict in force
  (``context.verdicts_in_force`` takes a comment version's latest entry), so training,
  exports and the decision feed use the corrected labels. Any comment version with a
  verdict in force can be corrected, an edited comment's earlier versions too.
- ``reopen(store, comment_id, moderator, note)``: an ``undo`` entry that reverts the verdict
  in force and puts the comment back in its queue, unclaimed, for anyone to decide again.
  Only the current version of a comment is reopened (an edit replaced the others).

Either is one transaction, and the site hears of it like any decision (the outbox).
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from moderation.errors import AlreadyReopened, DataError, NotDecided, NotQueued, Superseded
from moderation.queue.claims import check_moderator
from moderation.queue.context import verdicts_in_force
from moderation.queue.decisions import _insert, _lock_item, _parse
from moderation.queue.records import Decision, is_current
from moderation.store import Store
from moderation.store.schema import DONE, OPEN, claims, comments, decisions, queue_items, utcnow

MAX_NOTE = 2000


def correct(store: Store, comment_id: int, moderator: str, labels: Iterable[str] | None,
            note: str) -> Decision:
    """Record ``labels`` as the verdict on ``comment_id`` in place of the one in force;
    returns the new ``relabel`` decision. Raises ``NotDecided`` (no verdict in force),
    ``DataError`` (bad labels, no note)."""
    check_moderator(moderator)
    note = _check_note(note)
    chosen = _parse(labels)
    if chosen is None:
        raise DataError("a correction needs the labels to save (an empty list means allowed)",
                        field="labels")
    with store.write() as conn:
        _lock_item(store, conn, comment_id)
        verdict = _in_force(conn, comment_id)
        return _insert(conn, comment_id=comment_id, moderator=moderator, action="relabel",
                       labels=chosen, note=note, queue=verdict.queue,
                       model_version=verdict.model_version, decided_at=utcnow())


def reopen(store: Store, comment_id: int, moderator: str, note: str) -> Decision:
    """Revert the verdict in force on ``comment_id`` and put the comment back in its queue
    (unclaimed); returns the ``undo`` decision. Raises ``NotDecided``, ``Superseded`` (an
    earlier version of an edited comment), ``NotQueued``, ``DataError`` (no note)."""
    check_moderator(moderator)
    note = _check_note(note)
    with store.write() as conn:
        item = _lock_item(store, conn, comment_id)
        current = conn.execute(sa.select(sa.literal(True)).select_from(comments)
                               .where(comments.c.id == comment_id, is_current())).scalar()
        if current is None:
            raise Superseded(f"comment {comment_id} was edited by its author: only its "
                             "current version can go back to the queue (relabel this one)")
        if item is None:
            raise NotQueued(f"comment {comment_id} is not in a review queue")
        verdict = _in_force(conn, comment_id)  # none when it waits in the queue already
        if item.status == OPEN:  # cannot happen while entries and statuses agree
            raise AlreadyReopened(f"comment {comment_id} is in the queue already")
        at = utcnow()
        try:
            decision = _insert(conn, comment_id=comment_id, moderator=moderator, action="undo",
                               labels=None, note=note, queue=verdict.queue,
                               model_version=verdict.model_version, reverts_id=verdict.id,
                               decided_at=at)
        except sa.exc.IntegrityError as exc:  # an undo of the same verdict at the same time
            raise AlreadyReopened(f"decision {verdict.id} was undone already") from exc
        conn.execute(claims.delete().where(claims.c.comment_id == comment_id))
        conn.execute(queue_items.update().where(queue_items.c.comment_id == comment_id,
                                                queue_items.c.status == DONE)
                     .values(status=OPEN, entered_at=at))
    return decision


def _check_note(note: str | None) -> str:
    note = (note or "").strip()
    if not note:
        raise DataError("a correction needs a note saying why", field="note")
    if len(note) > MAX_NOTE or "\x00" in note:
        raise DataError(f"a note is plain text under {MAX_NOTE:,} characters without NUL",
                        field="note")
    return note


def _in_force(conn: sa.Connection, comment_id: int):
    verdicts = verdicts_in_force()
    row = conn.execute(sa.select(verdicts.c.id, verdicts.c.queue, decisions.c.model_version)
                       .join(decisions, decisions.c.id == verdicts.c.id)
                       .where(verdicts.c.comment_id == comment_id)).first()
    if row is None:
        raise NotDecided(f"comment {comment_id} has no verdict in force: it waits in the "
                         "queue (or was never queued); decide it there")
    return row
