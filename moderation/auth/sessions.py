"""Signed-in sessions kept in the store, so they survive a reload and are shared by every
UI process on the same store.

A session is a row of ``moderator_sessions`` holding the SHA-256 of a random token
(``secrets.token_urlsafe(32)``); the token itself exists only in the moderator's browser, in
an HttpOnly, SameSite=Strict cookie (``ui/server.py`` sets it). Signing in happens over
Streamlit's websocket, which cannot set a cookie, so it goes in two steps:

1. ``start_session`` (after the password check) makes the row with a one-time *ticket*
   that is valid for ``TICKET_SECONDS``; the page sends the browser to
   ``/auth/session?ticket=…``;
2. ``redeem_ticket`` there swaps the ticket for the long-lived token (a new random value),
   which the response sets as the cookie. A ticket works once, and only briefly.

``resume_token`` (a page opened with the cookie) and ``resume`` (every later rerun, by the
row's id) check the policy's idle and absolute expiry and that the account still exists,
and return the account's current role. ``end_session`` (sign-out) deletes the row:
the cookie then opens nothing, in any process; removing an account deletes all its rows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from moderation.auth.accounts import Moderator
from moderation.store import Store
from moderation.store.schema import moderator_accounts, moderator_sessions, utcnow

TICKET_SECONDS = 60
TOUCH_SECONDS = 15  # ``last_seen`` is written at most this often (not on every rerun)
COOKIE = "moderation_session"


@dataclass(frozen=True)
class SessionPolicy:
    """A signed-in session ends after ``idle_minutes`` without a request, or ``max_hours``."""

    idle_minutes: float = 30.0
    max_hours: float = 12.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SessionPolicy:
        env = os.environ if environ is None else environ
        return cls(idle_minutes=float(env.get("MODERATION_SESSION_IDLE_MINUTES", 30)),
                   max_hours=float(env.get("MODERATION_SESSION_MAX_HOURS", 12)))

    def expired(self, signed_in_at: dt.datetime, last_seen: dt.datetime,
                now: dt.datetime | None = None) -> str | None:
        """Why the session has ended (``"idle"`` or ``"max_age"``), or ``None``."""
        now = now or utcnow()
        if now - last_seen > dt.timedelta(minutes=self.idle_minutes):
            return "idle"
        if now - signed_in_at > dt.timedelta(hours=self.max_hours):
            return "max_age"
        return None


@dataclass(frozen=True)
class Session:
    id: int
    moderator: Moderator
    created_at: dt.datetime


@dataclass(frozen=True)
class Ended:
    """Why there is no session: ``"idle"``, ``"max_age"``, ``"removed"`` (the account) or
    ``"signed_out"`` (no such session: signed out here or elsewhere, or never was)."""

    reason: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(store: Store, moderator: Moderator) -> tuple[Session, str]:
    """A new session for ``moderator`` (whose password was just checked) and its one-time
    ticket for ``redeem_ticket``."""
    ticket, now = secrets.token_urlsafe(32), utcnow()
    idle = dt.timedelta(minutes=SessionPolicy.from_env().idle_minutes)
    with store.write() as conn:
        # sessions nobody has used for longer than the idle limit are over: clear them out
        conn.execute(moderator_sessions.delete().where(moderator_sessions.c.last_seen < now - idle))
        session_id = conn.execute(moderator_sessions.insert().values(
            token_hash=_digest(ticket), moderator=moderator.name, created_at=now,
            last_seen=now, pending_until=now + dt.timedelta(seconds=TICKET_SECONDS))
            .returning(moderator_sessions.c.id)).scalar_one()
    return Session(session_id, moderator, now), ticket


def redeem_ticket(store: Store, ticket: str | None) -> str | None:
    """The session's long-lived token for a valid, unused ``ticket``; else ``None``."""
    if not isinstance(ticket, str) or not ticket or len(ticket) > 100:
        return None
    token, now = secrets.token_urlsafe(32), utcnow()
    with store.write() as conn:
        done = conn.execute(moderator_sessions.update().where(
            moderator_sessions.c.token_hash == _digest(ticket),
            moderator_sessions.c.pending_until.is_not(None),
            moderator_sessions.c.pending_until > now).values(
            token_hash=_digest(token), pending_until=None, last_seen=now)).rowcount
    return token if done == 1 else None


def resume_token(store: Store, token: str | None, policy: SessionPolicy | None = None
                 ) -> Session | Ended:
    """The session a browser's cookie ``token`` opens (see ``resume``)."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return Ended("signed_out")
    return _resume(store, sa.and_(moderator_sessions.c.token_hash == _digest(token),
                                  moderator_sessions.c.pending_until.is_(None)), policy)


def resume(store: Store, session_id: int, policy: SessionPolicy | None = None
           ) -> Session | Ended:
    """The session ``session_id`` with its account's current role, its ``last_seen``
    refreshed; or why it has ended (an ended session's row is deleted)."""
    return _resume(store, moderator_sessions.c.id == session_id, policy)


def _resume(store: Store, where: sa.ColumnElement, policy: SessionPolicy | None
            ) -> Session | Ended:
    policy, now = policy or SessionPolicy.from_env(), utcnow()
    query = (sa.select(moderator_sessions, moderator_accounts.c.role)
             .join_from(moderator_sessions, moderator_accounts,
                        moderator_accounts.c.name == moderator_sessions.c.moderator,
                        isouter=True).where(where))
    with store.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        return Ended("signed_out")
    reason = "removed" if row.role is None else policy.expired(row.created_at, row.last_seen,
                                                                now)
    if reason:
        _delete(store, row.id)
        return Ended(reason)
    if (now - row.last_seen).total_seconds() >= TOUCH_SECONDS:
        with store.write() as conn:
            conn.execute(moderator_sessions.update().where(moderator_sessions.c.id == row.id)
                         .values(last_seen=now))
    return Session(row.id, Moderator(row.moderator, row.role), row.created_at)


def end_session(store: Store, session_id: int) -> None:
    """Sign out: the session ends in every process and its cookie opens nothing more."""
    _delete(store, session_id)


def _delete(store: Store, session_id: int) -> None:
    with store.write() as conn:
        conn.execute(moderator_sessions.delete().where(moderator_sessions.c.id == session_id))
