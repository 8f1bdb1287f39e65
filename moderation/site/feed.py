"""The moderators' decisions as a feed the site polls to hide or restore comments.

Each entry is one decision that changes what is in force for a comment version: a verdict
(confirm, override, relabel, or an ``import``) or an ``undo``. The latest entry of a version
is what is in force, so a correction made from «Історія» (a ``relabel`` on a decided
comment, or an ``undo`` that reopens it) is simply the next entry. ``action`` says what the
site should do now: ``hide`` when this entry is a verdict with labels, ``keep`` otherwise
(after an undo no verdict is in force: the comment is back in the queue). ``reverts`` is
the cursor of the entry an undo takes back. Reasons give each label in the site's words.

Paging is by an opaque cursor, ``"<txid>.<id>"``, and never misses or repeats an entry while
moderators keep deciding:

- PostgreSQL hands out ids when a row is inserted, not when its transaction commits, so a
  row with a lower id can become visible after a higher one was read. Each decision row
  carries the id of the transaction that wrote it (``decisions.txid``), and the feed serves
  rows in (txid, id) order, only those below the oldest transaction still running
  (``pg_snapshot_xmin(pg_current_snapshot())``): every row committed later belongs to a
  transaction at or above that horizon, so it sorts after anything served. A transaction
  left open holds the feed back (it never skips).
- SQLite has one writer at a time: ids are in commit order, ``txid`` is 0.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moderation.errors import DataError
from moderation.site.policy import Reason, reasons_for
from moderation.store import Store
from moderation.store.schema import FEED_ACTIONS, comments, decisions
from moderation.taxonomy import parse_labels

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
_CURSOR = re.compile(r"(\d{1,19})\.(\d{1,19})")
PG_HORIZON = sa.literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class Entry:
    cursor: str
    comment_id: str  # the site's id
    version: int  # the comment's version the decision is about (1, then one more per edit)
    action: str  # hide | keep
    decision: str  # confirm | override | relabel | import | undo
    labels: tuple[str, ...]
    reasons: tuple[Reason, ...]
    moderator: str
    decided_at: datetime
    reverts: str | None  # the cursor of the entry an undo takes back


@dataclass(frozen=True)
class Page:
    entries: tuple[Entry, ...]
    next: str | None  # pass as ``after`` to continue (the same cursor when nothing is new)
    more: bool  # True when more entries are ready now


def format_cursor(txid: int, decision_id: int) -> str:
    return f"{txid}.{decision_id}"


def parse_cursor(value: str | None) -> tuple[int, int]:
    """``(txid, id)`` of a cursor; ``(0, 0)`` for none. Raises ``DataError`` (``after``)."""
    if value is None or value == "":
        return 0, 0
    match = _CURSOR.fullmatch(value)
    if match is None:
        raise DataError("not a cursor of this feed: pass the 'next' or 'cursor' value of an "
                        "earlier answer, or nothing to start from the beginning", field="after")
    return int(match.group(1)), int(match.group(2))


def decision_feed(store: Store, after: str | None = None, limit: int = DEFAULT_LIMIT) -> Page:
    """Up to ``limit`` entries after the cursor ``after``, oldest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DataError(f"must be between 1 and {MAX_LIMIT}", field="limit")
    txid, decision_id = parse_cursor(after)
    query = (_select()
             .where(sa.tuple_(decisions.c.txid, decisions.c.id) >
                    sa.tuple_(sa.literal(txid, sa.BigInteger), sa.literal(decision_id)))
             .order_by(decisions.c.txid, decisions.c.id).limit(limit + 1))
    if store.dialect == "postgresql":
        query = query.where(decisions.c.txid < PG_HORIZON)
    with store.read() as conn:
        rows = conn.execute(query).all()
        entries = _entries(conn, rows[:limit])
    last = entries[-1].cursor if entries else (after or None)
    return Page(entries=tuple(entries), next=last, more=len(rows) > limit)


def entries_of(store: Store, decision_ids: Iterable[int]) -> dict[int, Entry]:
    """The feed entries of these decisions (those of ``FEED_ACTIONS``), by decision id."""
    ids = list(decision_ids)
    with store.read() as conn:
        rows = conn.execute(_select().where(decisions.c.id.in_(ids))).all() if ids else []
        return dict(zip((row.id for row in rows), _entries(conn, rows), strict=True))


def _select() -> sa.Select:
    reverted = decisions.alias("reverted")
    return (sa.select(decisions.c.id, decisions.c.txid, decisions.c.comment_id,
                      decisions.c.moderator, decisions.c.action, decisions.c.labels,
                      decisions.c.decided_at, reverted.c.id.label("reverts_id"),
                      reverted.c.txid.label("reverts_txid"), comments.c.external_id,
                      comments.c.version)
            .join(comments, comments.c.id == decisions.c.comment_id)
            .outerjoin(reverted, reverted.c.id == decisions.c.reverts_id)
            .where(decisions.c.action.in_(FEED_ACTIONS)))


def _entries(conn: sa.Connection, rows) -> list[Entry]:
    out = []
    for row in rows:
        # the latest entry is in force: after an undo (or a reopening) there is no verdict
        # until the next one, and a correction's labels replace those before it
        labels = () if row.action == "undo" else tuple(parse_labels(row.labels))
        out.append(Entry(
            cursor=format_cursor(row.txid, row.id), comment_id=row.external_id,
            version=row.version, action="hide" if labels else "keep", decision=row.action,
            labels=labels, reasons=reasons_for(labels), moderator=row.moderator,
            decided_at=row.decided_at,
            reverts=None if row.reverts_id is None else format_cursor(row.reverts_txid,
                                                                      row.reverts_id)))
    return out
