"""Server-side sessions (both databases): tickets, tokens, expiry, sign-out everywhere."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from moderation import auth
from moderation.auth import Moderator, SessionPolicy, sessions
from moderation.auth.sessions import Ended, Session
from moderation.store.schema import moderator_sessions, utcnow

OLENA = Moderator("olena", "admin")


@pytest.fixture
def accounts(store):
    auth.add_moderator(store, "olena", "correct horse", role="admin")
    auth.add_moderator(store, "petro", "battery staple")
    return store


def _signed_in(store, moderator=OLENA) -> tuple[Session, str]:
    session, ticket = auth.start_session(store, moderator)
    token = auth.redeem_ticket(store, ticket)
    assert token and token != ticket
    return session, token


def test_a_ticket_works_once_and_only_the_token_reopens(accounts):
    session, ticket = auth.start_session(accounts, OLENA)
    assert auth.resume_token(accounts, ticket) == Ended("signed_out")  # not a cookie yet
    token = auth.redeem_ticket(accounts, ticket)
    assert auth.redeem_ticket(accounts, ticket) is None  # once
    found = auth.resume_token(accounts, token)
    assert isinstance(found, Session) and found.id == session.id and found.moderator == OLENA
    assert auth.resume_token(accounts, token + "x") == Ended("signed_out")
    for bad in (None, "", "x" * 500):
        assert auth.resume_token(accounts, bad) == Ended("signed_out")
        assert auth.redeem_ticket(accounts, bad) is None


def test_only_a_digest_of_the_token_is_stored(accounts):
    _session, token = _signed_in(accounts)
    with accounts.read() as conn:
        stored = conn.execute(sa.select(moderator_sessions.c.token_hash)).scalars().all()
    assert token not in stored and len(stored[0]) == 64


def test_an_old_ticket_is_refused(accounts, monkeypatch):
    _session, ticket = auth.start_session(accounts, OLENA)
    later = utcnow() + dt.timedelta(seconds=sessions.TICKET_SECONDS + 1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert auth.redeem_ticket(accounts, ticket) is None


def test_idle_and_absolute_expiry(accounts, monkeypatch):
    policy = SessionPolicy(idle_minutes=30, max_hours=2)
    session, token = _signed_in(accounts)
    t0 = utcnow()
    for minutes in (25, 50, 75, 100):  # active every 25 minutes: idle never reached
        monkeypatch.setattr(sessions, "utcnow", lambda m=minutes: t0 + dt.timedelta(minutes=m))
        assert isinstance(auth.resume(accounts, session.id, policy), Session)
    monkeypatch.setattr(sessions, "utcnow", lambda: t0 + dt.timedelta(minutes=125))
    assert auth.resume(accounts, session.id, policy) == Ended("max_age")
    assert auth.resume_token(accounts, token, policy) == Ended("signed_out")  # row is gone
    other, _ = _signed_in(accounts)
    monkeypatch.setattr(sessions, "utcnow", lambda: t0 + dt.timedelta(minutes=125 + 31))
    assert auth.resume(accounts, other.id, policy) == Ended("idle")


def test_sign_out_and_removal_end_sessions_everywhere(accounts):
    first, token1 = _signed_in(accounts)
    second, token2 = _signed_in(accounts)  # a second browser
    auth.end_session(accounts, first.id)
    assert auth.resume_token(accounts, token1) == Ended("signed_out")
    assert isinstance(auth.resume_token(accounts, token2), Session)
    petro, token3 = _signed_in(accounts, Moderator("petro", "moderator"))
    auth.remove_moderator(accounts, "petro")
    assert auth.resume_token(accounts, token3) == Ended("signed_out")
    assert auth.resume(accounts, petro.id) == Ended("signed_out")


def test_a_role_change_applies_at_once(accounts):
    petro, _token = _signed_in(accounts, Moderator("petro", "moderator"))
    with accounts.write() as conn:
        conn.execute(sa.text("UPDATE moderator_accounts SET role = 'admin' WHERE name = 'petro'"))
    assert auth.resume(accounts, petro.id).moderator.is_admin


def test_a_password_reset_ends_the_accounts_sessions(accounts):
    session, token = _signed_in(accounts)
    auth.add_moderator(accounts, "olena", "a new password", role="admin", replace=True)
    assert auth.resume_token(accounts, token) == Ended("signed_out")


def test_session_policy():
    policy = SessionPolicy(idle_minutes=30, max_hours=12)
    t0 = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=29)) is None
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=31)) == "idle"
    assert policy.expired(t0, t0 + dt.timedelta(hours=12),
                          t0 + dt.timedelta(hours=12, minutes=1)) == "max_age"
    assert SessionPolicy.from_env({"MODERATION_SESSION_IDLE_MINUTES": "5"}).idle_minutes == 5
