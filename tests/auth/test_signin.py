"""Sign-in (both databases): one answer and one argon2 check whatever is wrong, lockout per
account and per source, and no lock held while a password is checked."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from moderation import auth
from moderation.auth import Moderator, signin
from moderation.store.schema import utcnow


@pytest.fixture
def accounts(store):
    auth.add_moderator(store, "olena", "correct horse", role="admin")
    auth.add_moderator(store, "petro", "battery staple")
    return store


@pytest.fixture
def checks(monkeypatch):
    """Counts argon2 verifications."""
    calls = []
    real = signin._check

    def counted(hashed, password):
        calls.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(signin, "_check", counted)
    return calls


def _lock(store, name, source="10.0.0.9"):
    for _ in range(signin.MAX_FAILURES):
        assert auth.verify(store, name, "guess", source=source) is None


def test_right_and_wrong(accounts):
    assert auth.verify(accounts, "olena", "correct horse") == Moderator("olena", "admin")
    assert auth.verify(accounts, " olena ", "correct horse")  # trimmed, as typed
    for name, password in [("olena", "wrong password"), ("nobody", "correct horse"),
                           ("' OR 1=1 --", "x"), ("OLENA", "correct horse"),
                           ("olena\u200b", "correct horse"), ("", ""), ("x" * 500, "y")]:
        assert auth.verify(accounts, name, password) is None


def test_unknown_wrong_and_locked_cost_the_same_one_check(accounts, checks):
    _lock(accounts, "petro")
    checks.clear()
    outcomes = [auth.verify(accounts, "nobody", "battery staple", source="10.0.0.1"),
                auth.verify(accounts, "olena", "wrong password", source="10.0.0.2"),
                auth.verify(accounts, "petro", "battery staple", source="10.0.0.3")]  # locked
    assert outcomes == [None, None, None]
    assert len(checks) == 3  # exactly one argon2 check per attempt, locked or not
    assert checks[2].startswith("$argon2id$") and checks[0] != checks[1]


def test_the_account_lockout_holds_and_ends(accounts, monkeypatch):
    _lock(accounts, "petro")
    assert auth.verify(accounts, "petro", "battery staple", source="10.0.0.1") is None
    assert auth.verify(accounts, "olena", "correct horse", source="10.0.0.1")  # others fine
    later = utcnow() + timedelta(minutes=signin.LOCKOUT_MINUTES + 1)
    monkeypatch.setattr(signin, "utcnow", lambda: later)
    assert auth.verify(accounts, "petro", "battery staple", source="10.0.0.1")


def test_a_success_resets_the_account_count(accounts):
    for _ in range(signin.MAX_FAILURES - 1):
        auth.verify(accounts, "petro", "guess")
    assert auth.verify(accounts, "petro", "battery staple")
    for _ in range(signin.MAX_FAILURES - 1):
        auth.verify(accounts, "petro", "guess")
    assert auth.verify(accounts, "petro", "battery staple")


def test_a_source_guessing_across_names_is_locked_out(accounts, monkeypatch):
    for i in range(signin.MAX_SOURCE_FAILURES):
        auth.verify(accounts, f"name{i}", "guess", source="203.0.113.7")
    # every name, even a right password, is refused from that source; not from another
    assert auth.verify(accounts, "olena", "correct horse", source="203.0.113.7") is None
    assert auth.verify(accounts, "olena", "correct horse", source="198.51.100.1")
    later = utcnow() + timedelta(minutes=signin.LOCKOUT_MINUTES + 1)
    monkeypatch.setattr(signin, "utcnow", lambda: later)
    assert auth.verify(accounts, "olena", "correct horse", source="203.0.113.7")


def test_failures_outside_the_window_do_not_add_up(accounts, monkeypatch):
    start = utcnow()
    for i in range(signin.MAX_SOURCE_FAILURES - 1):
        auth.verify(accounts, f"name{i}", "guess", source="203.0.113.8")
    monkeypatch.setattr(signin, "utcnow",
                        lambda: start + timedelta(minutes=signin.LOCKOUT_MINUTES + 1))
    auth.verify(accounts, "nobody", "guess", source="203.0.113.8")
    assert auth.verify(accounts, "olena", "correct horse", source="203.0.113.8")


def test_the_password_check_holds_no_lock_others_need(accounts, monkeypatch):
    """While an argon2 check runs (here: held open), the store stays writable and readable:
    signed-in moderators' pages never wait for someone else's sign-in."""
    started, release = threading.Event(), threading.Event()
    real = signin._check

    def slow(hashed, password):
        started.set()
        assert release.wait(30)
        return real(hashed, password)

    monkeypatch.setattr(signin, "_check", slow)
    result = []
    attempt = threading.Thread(target=lambda: result.append(
        auth.verify(accounts, "nobody", "guess", source="10.1.1.1")))
    attempt.start()
    try:
        assert started.wait(30)
        session, _ticket = auth.start_session(accounts, Moderator("olena", "admin"))  # a write
        assert auth.resume(accounts, session.id).moderator.name == "olena"
        assert [m.name for m in auth.list_moderators(accounts)] == ["olena", "petro"]
    finally:
        release.set()
        attempt.join(30)
    assert result == [None]


def test_concurrent_failures_are_all_counted(accounts):
    threads = [threading.Thread(target=auth.verify, args=(accounts, "petro", "guess"),
                                kwargs={"source": f"10.2.0.{i}"})
               for i in range(signin.MAX_FAILURES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert auth.verify(accounts, "petro", "battery staple", source="10.2.1.1") is None
