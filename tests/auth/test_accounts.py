"""Moderator accounts in the store (both databases): hashes, roles, removal, the CLI, and
moving an older version's JSON moderators file in."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from moderation import auth
from moderation.auth import Moderator
from moderation.cli import main
from moderation.errors import AuthError
from moderation.store.schema import moderator_accounts


@pytest.fixture
def accounts(store):
    auth.add_moderator(store, "olena", "correct horse", role="admin")
    auth.add_moderator(store, "Петро", "battery staple")
    return store


def test_accounts_are_hashed_with_salted_argon2id(accounts):
    with accounts.read() as conn:
        hashes = dict(conn.execute(sa.select(moderator_accounts.c.name,
                                             moderator_accounts.c.password_hash)).all())
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert "correct horse" not in "".join(hashes.values())
    params = dict(kv.split("=") for kv in hashes["olena"].split("$")[3].split(","))
    assert int(params["m"]) >= 19_456 and int(params["t"]) >= 2  # OWASP's argon2id floor
    auth.add_moderator(accounts, "ivan", "battery staple")  # same password as Петро
    with accounts.read() as conn:
        ivan = conn.execute(sa.select(moderator_accounts.c.password_hash)
                            .where(moderator_accounts.c.name == "ivan")).scalar_one()
    assert ivan != hashes["Петро"]  # salted
    assert auth.list_moderators(accounts) == [Moderator("ivan", "moderator"),
                                              Moderator("olena", "admin"),
                                              Moderator("Петро", "moderator")]


@pytest.mark.parametrize("name, password, role, match", [
    ("olena", "long enough", "moderator", "уже є"),
    ("new", "short", "moderator", "закороткий"),
    ("new", "x" * 2000, "moderator", "задовгий"),
    ("new", "long enough", "root", "невідома роль"),
    ("", "long enough", "moderator", "від 1 до 64"),
    ("bad\x00name", "long enough", "moderator", "керівних"),
])
def test_bad_accounts_are_refused_in_ukrainian(accounts, name, password, role, match):
    with pytest.raises(AuthError, match=match):
        auth.add_moderator(accounts, name, password, role=role)
    assert len(auth.list_moderators(accounts)) == 2


def test_roles_removal_and_admin_only_adding(accounts):
    auth.require_admin(Moderator("olena", "admin"))
    with pytest.raises(AuthError, match="не адміністратор"):
        auth.add_moderator_as(Moderator("Петро", "moderator"), accounts, "mallory",
                              "mallory-pass", role="admin")
    assert auth.account_of(accounts, "mallory") is None
    auth.add_moderator_as(Moderator("olena", "admin"), accounts, "ivan", "ivan-password")
    assert auth.account_of(accounts, "ivan") == Moderator("ivan", "moderator")
    auth.remove_moderator(accounts, "Петро")
    assert [m.name for m in auth.list_moderators(accounts)] == ["ivan", "olena"]
    with pytest.raises(AuthError, match="немає модератора"):
        auth.remove_moderator(accounts, "Петро")


def test_a_reset_changes_the_password_and_role(accounts):
    auth.add_moderator(accounts, "Петро", "new password 1", role="admin", replace=True)
    assert auth.verify(accounts, "Петро", "battery staple") is None
    assert auth.verify(accounts, "Петро", "new password 1") == Moderator("Петро", "admin")


def test_an_old_moderators_file_moves_into_the_store_once(store, tmp_path):
    from argon2 import PasswordHasher

    path = tmp_path / "moderators.json"
    entries = {"olena": {"hash": PasswordHasher().hash("correct horse"), "role": "admin",
                         "created_at": "2026-11-01T08:00:00+00:00", "failures": 2,
                         "locked_until": None},
               "petro": {"hash": PasswordHasher().hash("battery staple"), "role": "moderator",
                         "created_at": "2026-11-02T08:00:00+00:00"}}
    path.write_text(json.dumps({"version": 1, "moderators": entries}), encoding="utf-8")
    auth.add_moderator(store, "petro", "made in the store")  # already there: kept as is
    assert auth.import_file(store, path) == 1
    assert not path.exists() and path.with_name("moderators.json.imported").is_file()
    assert auth.verify(store, "olena", "correct horse") == Moderator("olena", "admin")
    assert auth.verify(store, "petro", "made in the store")
    assert auth.import_file(store, path) == 0  # nothing left to import


@pytest.mark.parametrize("content, match", [
    ("{not json", "unreadable moderators file"),
    (json.dumps([1]), "not a moderators file"),
    (json.dumps({"moderators": {"olena": {"hash": "plain", "role": "admin"}}}),
     "moderator 'olena': field 'hash'"),
    (json.dumps({"moderators": {"olena": {"hash": "$argon2id$x", "role": "root"}}}),
     "moderator 'olena': field 'role'"),
])
def test_a_bad_moderators_file_is_named_and_nothing_is_imported(store, tmp_path, content,
                                                                 match):
    path = tmp_path / "moderators.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AuthError, match=match) as caught:
        auth.import_file(store, path)
    assert str(path) in str(caught.value)
    assert path.is_file() and auth.list_moderators(store) == []


def test_moderator_commands_use_the_store(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MODERATION_DB_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["moderator", "add", "olena", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "another-pass")
    assert main(["moderator", "add", "petro"]) == 0
    assert main(["moderator", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["olena\tadmin", "petro\tmoderator"]
    assert main(["moderator", "remove", "petro"]) == 0
    assert main(["moderator", "remove", "petro", "--db", db_url]) == 2
    assert "немає модератора з іменем 'petro'" in capsys.readouterr().err
    from moderation.store import open_store

    store = open_store(db_url)
    try:
        assert auth.verify(store, "olena", "s3cret-pass") == Moderator("olena", "admin")
    finally:
        store.dispose()


def test_db_upgrade_moves_the_old_file_in(db_url, tmp_path, monkeypatch, capsys):
    from argon2 import PasswordHasher

    path = tmp_path / "moderators.json"
    path.write_text(json.dumps({"version": 1, "moderators": {
        "olena": {"hash": PasswordHasher().hash("correct horse"), "role": "admin"}}}),
        encoding="utf-8")
    monkeypatch.setenv("MODERATION_MODERATORS_FILE", str(path))
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "moderator accounts: 1 moved" in capsys.readouterr().out
    assert main(["moderator", "list", "--db", db_url]) == 0
    assert capsys.readouterr().out.splitlines() == ["olena\tadmin"]
