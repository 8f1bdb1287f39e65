"""Claiming the next comment: two moderators never hold the same one.

A claim is a row in ``claims`` keyed by the comment, so there is at most one per comment.
Taking one is a conditional upsert (insert, or take over a claim that has expired), inside
a transaction that also locks the candidate: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite. A moderator holds at most one claim: asking for the next
comment gives back the one they hold if it still fits, otherwise releases it. A bulk
action (``moderation.queue.bulk``) takes one comment at a time with ``claim_one`` and
decides it at once, so for that moment they hold two.

A comment a moderator skipped is offered to them again only when nothing else is left
(``skipped`` lists them). An admin sees every claim held (``held_claims``) and releases
them (``release_claims``): a moderator who closed the browser no longer blocks a comment
until the claim expires. Claims are working state, not part of the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from moderation.auth import require_admin
from moderation.errors import StoreError
from moderation.queue.records import COMMENT_COLUMNS, Comment, Filters, Item
from moderation.store import Store
from moderation.store.schema import (
    OPEN,
    QUEUES,
    claims,
    comments,
    decisions,
    predictions,
    queue_items,
    utcnow,
)
from moderation.taxonomy import parse_labels

ORDERS = ("priority", "uncertain")
MAX_ATTEMPTS = 20


def next_item(store: Store, moderator: str, *, queue: str = "review", order: str = "priority",
              filters: Filters | None = None, now: datetime | None = None) -> Item | None:
    """Claim and return the next comment for ``moderator``; ``None`` when none is left.

    ``order="priority"`` gives the highest label score first; ``"uncertain"`` gives the
    score closest to its threshold first (the most useful to label for retraining).
    Comments this moderator skipped come back to them only when nothing else is left.
    """
    check_moderator(moderator)
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; expected one of {', '.join(QUEUES)}")
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    filters = filters or Filters()
    for _ in range(MAX_ATTEMPTS):
        at = now or utcnow()
        expires = at + timedelta(minutes=store.claim_minutes)
        with store.write() as conn:
            _claims_need_no_fsync(store, conn)
            held = _held(conn, queue, filters, moderator, at)
            if held is not None:
                _set_claim(conn, held, moderator, at, expires)
                return load_item(conn, held)
            candidate = None
            for offer_skipped in (False, True):  # skipped ones only when nothing else is left
                query = _candidates(queue, order, filters, moderator, at,
                                    offer_skipped=offer_skipped).limit(1)
                if store.dialect == "postgresql":
                    query = query.with_for_update(skip_locked=True, of=queue_items)
                candidate = conn.execute(query).scalar()
                if candidate is not None:
                    break
            release_all(conn, moderator)
            if candidate is None:
                return None
            if _take_claim(store, conn, candidate, moderator, at, expires):
                return load_item(conn, candidate)
        # another moderator took it between our read and our claim: look again
    raise StoreError(f"could not claim a comment after {MAX_ATTEMPTS} attempts: the queue is "
                     "very busy; try again")


def _claims_need_no_fsync(store: Store, conn: sa.Connection) -> None:
    """A claim lost in a crash only frees the comment, so its commit need not wait for the
    disk (PostgreSQL; halves next-item time). Decisions keep the durable default."""
    if store.dialect == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def check_moderator(moderator: str) -> None:
    if not isinstance(moderator, str) or not moderator.strip():
        raise ValueError("a moderator name is required")


def _open_items(queue: str, filters: Filters) -> sa.Select:
    return (sa.select(queue_items.c.comment_id)
            .join(comments, comments.c.id == queue_items.c.comment_id)
            .where(queue_items.c.queue == queue, queue_items.c.status == OPEN,
                   *filters.clauses(queue_items.c.flagged_labels)))


def _held(conn: sa.Connection, queue: str, filters: Filters, moderator: str,
          at: datetime) -> int | None:
    """The comment ``moderator`` holds, if it still fits ``queue`` and ``filters``."""
    mine = conn.scalars(sa.select(claims.c.comment_id).where(
        claims.c.moderator == moderator, claims.c.expires_at > at)).all()
    if not mine:  # looked up first: the index on claims.moderator, not a queue scan
        return None
    return conn.execute(_open_items(queue, filters)
                        .where(queue_items.c.comment_id.in_(mine)).limit(1)).scalar()


def _candidates(queue: str, order: str, filters: Filters, moderator: str,
                at: datetime, *, offer_skipped: bool = False) -> sa.Select:
    """Open comments of ``queue`` that ``moderator`` may claim, best first (without the ones
    they skipped since the comment entered the queue, unless ``offer_skipped``)."""
    query = (_open_items(queue, filters)
             .outerjoin(claims, claims.c.comment_id == queue_items.c.comment_id)
             .where(sa.or_(claims.c.comment_id.is_(None), claims.c.expires_at <= at)))
    if not offer_skipped:
        query = query.where(~_skipped_by(moderator))
    if order == "priority":
        return query.order_by(queue_items.c.priority.desc(), queue_items.c.comment_id.desc())
    return query.order_by(queue_items.c.uncertainty.asc(), queue_items.c.comment_id.asc())


def _skipped_by(moderator: str) -> sa.Exists:
    """SQL: ``moderator`` skipped the queue item's comment since it (last) entered the queue."""
    return sa.exists().where(
        decisions.c.comment_id == queue_items.c.comment_id,
        decisions.c.moderator == moderator, decisions.c.action == "skip",
        decisions.c.decided_at >= queue_items.c.entered_at)


def _take_claim(store: Store, conn: sa.Connection, comment_id: int, moderator: str,
                at: datetime, expires: datetime) -> bool:
    """Insert the claim, or take over an expired one; False when someone holds it."""
    stmt = store.insert(claims).values(comment_id=comment_id, moderator=moderator,
                                       claimed_at=at, expires_at=expires)
    stmt = stmt.on_conflict_do_update(
        index_elements=[claims.c.comment_id],
        set_=dict(moderator=moderator, claimed_at=at, expires_at=expires),
        where=claims.c.expires_at <= at,
    ).returning(claims.c.comment_id)
    return conn.execute(stmt).first() is not None


def _set_claim(conn: sa.Connection, comment_id: int, moderator: str, at: datetime,
               expires: datetime) -> None:
    conn.execute(claims.update().where(claims.c.comment_id == comment_id,
                                       claims.c.moderator == moderator)
                 .values(expires_at=expires))


def release_all(conn: sa.Connection, moderator: str, *, keep: int | None = None) -> None:
    query = claims.delete().where(claims.c.moderator == moderator)
    if keep is not None:
        query = query.where(claims.c.comment_id != keep)
    conn.execute(query)


def release(store: Store, moderator: str) -> None:
    """Give back whatever ``moderator`` holds (signing out, closing the page)."""
    check_moderator(moderator)
    with store.write() as conn:
        release_all(conn, moderator)


@dataclass(frozen=True)
class Skipped:
    """An open comment the moderator skipped; it comes back when nothing else is left."""

    comment: Comment
    queue: str
    skipped_at: datetime  # the moderator's latest skip of it


def skipped(store: Store, moderator: str, *, queue: str | None = None) -> list[Skipped]:
    """The open comments ``moderator`` skipped (since they entered the queue), the latest
    skip first; ``queue`` limits them to one queue."""
    check_moderator(moderator)
    last = (sa.select(decisions.c.comment_id,
                      sa.func.max(decisions.c.decided_at).label("skipped_at"))
            .where(decisions.c.moderator == moderator, decisions.c.action == "skip")
            .group_by(decisions.c.comment_id).subquery("last_skip"))
    query = (sa.select(*COMMENT_COLUMNS, queue_items.c.queue, last.c.skipped_at)
             .join(queue_items, queue_items.c.comment_id == comments.c.id)
             .join(last, last.c.comment_id == comments.c.id)
             .where(queue_items.c.status == OPEN,
                    last.c.skipped_at >= queue_items.c.entered_at)
             .order_by(last.c.skipped_at.desc(), comments.c.id.desc()))
    if queue is not None:
        query = query.where(queue_items.c.queue == queue)
    with store.read() as conn:
        rows = conn.execute(query).all()
    return [Skipped(Comment.from_row(row), row.queue, row.skipped_at) for row in rows]


@dataclass(frozen=True)
class Claim:
    """A comment a moderator holds right now."""

    comment_id: int
    external_id: str
    queue: str
    moderator: str
    claimed_at: datetime
    expires_at: datetime


def held_claims(store: Store, *, now: datetime | None = None) -> list[Claim]:
    """Every claim not expired, by moderator, oldest first (for an admin)."""
    query = (sa.select(claims.c.comment_id, comments.c.external_id, queue_items.c.queue,
                       claims.c.moderator, claims.c.claimed_at, claims.c.expires_at)
             .join(comments, comments.c.id == claims.c.comment_id)
             .join(queue_items, queue_items.c.comment_id == claims.c.comment_id)
             .where(claims.c.expires_at > (now or utcnow()))
             .order_by(claims.c.moderator, claims.c.claimed_at, claims.c.comment_id))
    with store.read() as conn:
        return [Claim(**row._mapping) for row in conn.execute(query)]


def release_claims(store: Store, by, *, moderator: str | None = None,
                   comment_id: int | None = None) -> int:
    """An admin (``by``, an account with ``is_admin``) releases the claim on ``comment_id``
    or every claim ``moderator`` holds; returns how many were released (0: none held, e.g.
    decided or released meanwhile). Raises ``AuthError`` for a non-admin."""
    require_admin(by)
    if (moderator is None) == (comment_id is None):
        raise ValueError("release_claims needs exactly one of moderator= or comment_id=")
    query = claims.delete()
    if moderator is not None:
        check_moderator(moderator)
        query = query.where(claims.c.moderator == moderator)
    else:
        query = query.where(claims.c.comment_id == comment_id)
    with store.write() as conn:
        return conn.execute(query).rowcount


def claim_one(store: Store, comment_id: int, moderator: str, *,
              now: datetime | None = None) -> bool:
    """Take the claim on the open comment ``comment_id`` for ``moderator`` (bulk actions):
    True when they hold it now (taken, or held already), False when another moderator holds
    it or it is not open. Unlike ``next_item`` it keeps the claim they hold elsewhere: a
    bulk action decides each comment right after claiming it, so it holds two only briefly.
    """
    check_moderator(moderator)
    at = now or utcnow()
    with store.write() as conn:
        _claims_need_no_fsync(store, conn)
        status = conn.execute(sa.select(queue_items.c.status)
                              .where(queue_items.c.comment_id == comment_id)).scalar()
        if status != OPEN:
            return False
        holder = conn.execute(sa.select(claims.c.moderator).where(
            claims.c.comment_id == comment_id, claims.c.expires_at > at)).scalar()
        if holder == moderator:
            return True
        expires = at + timedelta(minutes=store.claim_minutes)
        return _take_claim(store, conn, comment_id, moderator, at, expires)


def release_one(store: Store, comment_id: int, moderator: str) -> None:
    """Give back ``moderator``'s claim on ``comment_id`` (if they hold it)."""
    with store.write() as conn:
        conn.execute(claims.delete().where(claims.c.comment_id == comment_id,
                                           claims.c.moderator == moderator))


def claim_for(store: Store, conn: sa.Connection, comment_id: int, moderator: str) -> None:
    """Give ``moderator`` the claim on ``comment_id`` (used by undo), releasing the rest."""
    at = utcnow()
    release_all(conn, moderator)
    conn.execute(claims.delete().where(claims.c.comment_id == comment_id))
    conn.execute(claims.insert().values(comment_id=comment_id, moderator=moderator, claimed_at=at,
                                        expires_at=at + timedelta(minutes=store.claim_minutes)))


def load_item(conn: sa.Connection, comment_id: int) -> Item:
    row = conn.execute(
        sa.select(*COMMENT_COLUMNS, queue_items.c.queue, queue_items.c.flagged_labels,
                  queue_items.c.priority, queue_items.c.uncertainty, queue_items.c.alerts,
                  predictions.c.scores, predictions.c.model_version,
                  claims.c.moderator, claims.c.expires_at)
        .join(queue_items, queue_items.c.comment_id == comments.c.id)
        .join(predictions, predictions.c.id == queue_items.c.prediction_id)
        .join(claims, claims.c.comment_id == comments.c.id)
        .where(comments.c.id == comment_id)
    ).one()
    return Item(
        comment=Comment.from_row(row), queue=row.queue, scores=dict(row.scores),
        flagged_labels=tuple(parse_labels(row.flagged_labels)),
        model_version=row.model_version, priority=row.priority, uncertainty=row.uncertainty,
        moderator=row.moderator, claim_expires_at=row.expires_at,
        alerts=tuple(filter(None, (row.alerts or "").split(";"))))
