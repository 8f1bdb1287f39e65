"""What moderators decided about an author: watch, pre-moderate or ban, with a reason and an
expiry, or lift the one before.

    set_author_action(store, "olena", "Коваль", "ban", "погрози", expires_at=...)
    author_action_in_force(conn, "Коваль", now)       # the AuthorAction, or None
    actions_in_force(store)                           # every author's, newest first
    author_actions_after(store, after=0, limit=100)   # every row, for the site's feed

Every change is a new row of ``author_actions`` (an audit table: rows are never changed or
removed); the latest row of an author is in force unless it expired or is ``lifted``.

- ``watch``: every new comment of the author goes to the review queue (alert
  ``watched_author``), flagged or not;
- ``premoderate``: the site is told to ``hold`` each new comment of the author, and the
  comment goes to the review queue as for ``watch``;
- ``ban``: the site is told to ``reject`` them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moderation.errors import DataError
from moderation.store import Store
from moderation.store.schema import AUTHOR_KINDS, author_actions, utcnow

KINDS = AUTHOR_KINDS[:-1]  # the ones that restrict an author; "lifted" ends them
LIFTED = AUTHOR_KINDS[-1]
SITE_ACTIONS = {"premoderate": "hold", "ban": "reject"}  # what the site is told to do
MAX_AUTHOR, MAX_REASON = 200, 2000
FEED_LOCK = 0x61757468  # PostgreSQL advisory lock key of the writers of author_actions


@dataclass(frozen=True)
class AuthorAction:
    id: int
    author: str
    kind: str  # watch | premoderate | ban | lifted
    reason: str
    expires_at: datetime | None  # None: until lifted
    moderator: str
    created_at: datetime


def check_author(author: str | None) -> str:
    """The author's name as stored, or ``DataError`` (field ``author``)."""
    if not isinstance(author, str) or not author.strip():
        raise DataError("name the author the action is about", field="author")
    if len(author) > MAX_AUTHOR:
        raise DataError(f"an author's name has at most {MAX_AUTHOR} characters",
                        field="author")
    if any(unicodedata.category(ch) == "Cc" for ch in author):
        raise DataError("an author's name has no control characters", field="author")
    return author


def set_author_action(store: Store, moderator: str, author: str, kind: str, reason: str, *,
                      expires_at: datetime | None = None,
                      now: datetime | None = None) -> AuthorAction:
    """Record ``kind`` (``KINDS`` or ``"lifted"``) for ``author``; it is in force from now
    until ``expires_at`` (None: until lifted). The reason is required."""
    author = check_author(author)
    if kind not in AUTHOR_KINDS:
        raise DataError(f"unknown author action {kind!r}: use one of "
                        f"{', '.join(AUTHOR_KINDS)}", field="kind")
    if not isinstance(reason, str) or not reason.strip():
        raise DataError("give the reason for the author action", field="reason")
    if len(reason) > MAX_REASON:
        raise DataError(f"a reason has at most {MAX_REASON} characters", field="reason")
    if not moderator or not moderator.strip():
        raise DataError("name the moderator", field="moderator")
    now = now or utcnow()
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise DataError("the expiry needs a time zone", field="expires_at")
        if expires_at <= now:
            raise DataError("the expiry must be in the future", field="expires_at")
    if kind == LIFTED:
        expires_at = None
    with store.write() as conn:
        if conn.dialect.name == "postgresql":  # one writer at a time: ids in commit order
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(FEED_LOCK)))
        row_id = conn.execute(author_actions.insert().values(
            author=author, kind=kind, reason=reason.strip(), expires_at=expires_at,
            moderator=moderator, created_at=now).returning(author_actions.c.id)).scalar_one()
    return AuthorAction(row_id, author, kind, reason.strip(), expires_at, moderator, now)


def _of(row) -> AuthorAction:
    return AuthorAction(row.id, row.author, row.kind, row.reason, row.expires_at,
                        row.moderator, row.created_at)


def _latest() -> sa.Select:
    newest = (sa.select(sa.func.max(author_actions.c.id))
              .group_by(author_actions.c.author).scalar_subquery())
    return sa.select(author_actions).where(author_actions.c.id.in_(newest))


def _in_force(action: AuthorAction | None, now: datetime) -> AuthorAction | None:
    if action is None or action.kind == LIFTED:
        return None
    if action.expires_at is not None and action.expires_at <= now:
        return None
    return action


def authors_in_force(conn: sa.Connection, authors, now: datetime | None = None
                     ) -> dict[str, AuthorAction]:
    """The actions in force for these authors (those with none are left out)."""
    names = sorted({a for a in authors if a})
    if not names:
        return {}
    now = now or utcnow()
    newest = (sa.select(sa.func.max(author_actions.c.id))
              .where(author_actions.c.author.in_(names))
              .group_by(author_actions.c.author).scalar_subquery())
    rows = conn.execute(sa.select(author_actions).where(author_actions.c.id.in_(newest))).all()
    found = {row.author: _in_force(_of(row), now) for row in rows}
    return {name: action for name, action in found.items() if action is not None}


def author_action_in_force(conn: sa.Connection, author: str | None,
                           now: datetime | None = None) -> AuthorAction | None:
    """The action in force for ``author`` at ``now``, or None."""
    return authors_in_force(conn, [author], now).get(author) if author else None


def actions_in_force(store: Store, now: datetime | None = None) -> list[AuthorAction]:
    """Every author's action in force, newest first."""
    now = now or utcnow()
    with store.read() as conn:
        rows = conn.execute(_latest().order_by(author_actions.c.id.desc())).all()
    return [a for a in (_in_force(_of(row), now) for row in rows) if a is not None]


def author_actions_after(store: Store, after: int = 0, limit: int = 100
                         ) -> tuple[list[AuthorAction], bool]:
    """Every recorded action with an id above ``after``, oldest first (up to ``limit``),
    and whether more are ready: the site's feed (``GET /v1/author-actions``). The id is a
    safe cursor: ``set_author_action`` writes one row at a time (SQLite has one writer; on
    PostgreSQL an advisory lock held to the commit), so ids become visible in id order and a
    reader never passes a row that commits later."""
    with store.read() as conn:
        rows = conn.execute(sa.select(author_actions).where(author_actions.c.id > after)
                            .order_by(author_actions.c.id).limit(limit + 1)).all()
    return [_of(row) for row in rows[:limit]], len(rows) > limit
