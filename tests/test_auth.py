"""Moderator accounts: argon2 hashes, roles, lockout, the file written safely."""
from __future__ import annotations

import datetime as dt
import io
import json
import stat

import pytest

from moderation import auth
from moderation.auth import (
    AuthError,
    Moderator,
    SessionPolicy,
    account_of,
    add_moderator,
    add_moderator_as,
    list_moderators,
)
from moderation.cli import main


@pytest.fixture
def accounts(tmp_path):
    path = tmp_path / "conf" / "moderators.json"
    auth.add_moderator(path, "olena", "correct horse", role="admin")
    auth.add_moderator(path, "Петро", "battery staple")
    return path


def test_accounts_are_hashed_and_private(accounts):
    text = accounts.read_text(encoding="utf-8")
    assert "correct horse" not in text and "$argon2id$" in text
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert auth.list_moderators(accounts) == [auth.Moderator("olena", "admin"),
                                              auth.Moderator("Петро", "moderator")]


def test_verify(accounts):
    assert auth.verify(accounts, "olena", "correct horse").is_admin
    assert auth.verify(accounts, "Петро", "battery staple").role == "moderator"
    assert auth.verify(accounts, "olena", "wrong password") is None
    assert auth.verify(accounts, "nobody", "correct horse") is None
    assert auth.verify(accounts, "' OR 1=1 --", "x") is None


def test_lockout_after_repeated_failures(accounts):
    for _ in range(auth.MAX_FAILURES):
        assert auth.verify(accounts, "Петро", "guess") is None
    with pytest.raises(auth.AccountLocked, match="locked"):
        auth.verify(accounts, "Петро", "battery staple")
    assert auth.verify(accounts, "olena", "correct horse")  # others unaffected


def test_a_success_resets_the_failure_count(accounts):
    for _ in range(auth.MAX_FAILURES - 1):
        auth.verify(accounts, "Петро", "guess")
    assert auth.verify(accounts, "Петро", "battery staple")
    assert auth.verify(accounts, "Петро", "guess") is None
    assert auth.verify(accounts, "Петро", "battery staple")


@pytest.mark.parametrize("name, password, role, match", [
    ("olena", "long enough", "moderator", "exists already"),
    ("new", "short", "moderator", "too short"),
    ("new", "long enough", "root", "unknown role"),
    ("", "long enough", "moderator", "1 to 64"),
    ("bad\x00name", "long enough", "moderator", "control"),
])
def test_bad_accounts_are_refused(accounts, name, password, role, match):
    with pytest.raises(auth.AuthError, match=match):
        auth.add_moderator(accounts, name, password, role=role)


def test_roles_and_removal(accounts):
    auth.require_admin(auth.Moderator("olena", "admin"))
    with pytest.raises(auth.AuthError, match="not an admin"):
        auth.require_admin(auth.Moderator("Петро", "moderator"))
    auth.remove_moderator(accounts, "Петро")
    assert [m.name for m in auth.list_moderators(accounts)] == ["olena"]
    with pytest.raises(auth.AuthError, match="no moderator"):
        auth.remove_moderator(accounts, "Петро")


def test_a_corrupt_file_is_reported(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(auth.AuthError, match="unreadable moderators file"):
        auth.list_moderators(path)
    path.write_text(json.dumps([1]), encoding="utf-8")
    with pytest.raises(auth.AuthError, match="not a moderators file"):
        auth.list_moderators(path)


def test_moderator_commands(tmp_path, monkeypatch, capsys):
    path = tmp_path / "m.json"
    monkeypatch.setenv("MODERATION_MODERATORS_FILE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["moderator", "add", "olena", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "another-pass")
    assert main(["moderator", "add", "petro"]) == 0
    assert main(["moderator", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["olena\tadmin", "petro\tmoderator"]
    assert auth.verify(path, "olena", "s3cret-pass")
    assert main(["moderator", "remove", "petro"]) == 0
    assert main(["moderator", "remove", "petro"]) == 2
    assert "no moderator named 'petro'" in capsys.readouterr().err


def test_session_policy():
    policy = SessionPolicy(idle_minutes=30, max_hours=12)
    t0 = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=29)) is None
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=31)) == "idle"
    assert policy.expired(t0, t0 + dt.timedelta(hours=12), t0 + dt.timedelta(hours=12, minutes=1)
                          ) == "max_age"
    assert SessionPolicy.from_env({"MODERATION_SESSION_IDLE_MINUTES": "5"}).idle_minutes == 5


def test_only_an_admin_adds_moderators(tmp_path):
    path = tmp_path / "moderators.json"
    add_moderator(path, "admin", "admin-password", role="admin")
    with pytest.raises(AuthError, match="not an admin"):
        add_moderator_as(Moderator("petro", "moderator"), path, "ivan", "ivan-password")
    add_moderator_as(Moderator("admin", "admin"), path, "ivan", "ivan-password")
    assert [m.name for m in list_moderators(path)] == ["admin", "ivan"]
    assert account_of(path, "ivan") == Moderator("ivan", "moderator")
    assert account_of(path, "nobody") is None
