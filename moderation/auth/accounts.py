"""Moderator accounts in the store: argon2id hashes and roles.

``moderation moderator add|remove|list`` and the admins' «Модератори» page use these; every
UI process and every machine on one PostgreSQL store sees the same accounts. Removing an
account ends its sessions at once. ``import_file`` brings in the accounts of the JSON
moderators file earlier versions kept (``MODERATION_MODERATORS_FILE``), once.
"""
from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher

from moderation.errors import AuthError
from moderation.store import Store
from moderation.store.schema import ROLES, moderator_accounts, moderator_sessions, utcnow

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # argon2 hashes any length; this bounds the work of one attempt
MAX_NAME_CHARS = 64
ROLE_NAMES = {"moderator": "модератор", "admin": "адміністратор"}
hasher = PasswordHasher()  # argon2id, argon2-cffi's defaults


@dataclass(frozen=True)
class Moderator:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def add_moderator(store: Store, name: str, password: str, *, role: str = "moderator",
                  replace: bool = False) -> Moderator:
    """Create (or with ``replace``, reset the password and role of) an account.

    Raises ``AuthError`` (in Ukrainian: an admin reads it on the «Модератори» page).
    """
    name = check_name(name)
    if role not in ROLES:
        raise AuthError(f"невідома роль {role!r}; можливі: {', '.join(ROLES)}")
    check_password(password)
    digest = hasher.hash(password)  # before the transaction: nobody waits for argon2
    with store.write() as conn:
        exists = conn.execute(sa.select(moderator_accounts.c.name)
                              .where(moderator_accounts.c.name == name)).first()
        if exists and not replace:
            raise AuthError(f"модератор {name!r} уже є")
        if exists:
            conn.execute(moderator_accounts.update().where(moderator_accounts.c.name == name)
                         .values(password_hash=digest, role=role, failures=0,
                                 locked_until=None))
            conn.execute(moderator_sessions.delete()
                         .where(moderator_sessions.c.moderator == name))
        else:
            conn.execute(moderator_accounts.insert().values(
                name=name, password_hash=digest, role=role, created_at=utcnow()))
    return Moderator(name, role)


def remove_moderator(store: Store, name: str) -> None:
    """Delete the account and end every session it has."""
    with store.write() as conn:
        gone = conn.execute(moderator_accounts.delete()
                            .where(moderator_accounts.c.name == name)).rowcount
        if not gone:
            raise AuthError(f"немає модератора з іменем {name!r}")
        conn.execute(moderator_sessions.delete().where(moderator_sessions.c.moderator == name))


def list_moderators(store: Store) -> list[Moderator]:
    with store.read() as conn:
        rows = conn.execute(sa.select(moderator_accounts.c.name, moderator_accounts.c.role)
                            .order_by(moderator_accounts.c.name))
        return [Moderator(row.name, row.role) for row in rows]


def account_of(store: Store, name: str) -> Moderator | None:
    """The account ``name`` as the store says now (removed: ``None``)."""
    with store.read() as conn:
        row = conn.execute(sa.select(moderator_accounts.c.role)
                           .where(moderator_accounts.c.name == name)).first()
    return None if row is None else Moderator(name, row.role)


def require_admin(moderator: Moderator) -> None:
    if not moderator.is_admin:
        raise AuthError(f"{moderator.name!r} не адміністратор: це може зробити лише "
                        "адміністратор")


def add_moderator_as(admin: Moderator, store: Store, name: str, password: str, *,
                     role: str = "moderator") -> Moderator:
    """``admin`` adds an account; raises ``AuthError`` unless ``admin`` is an admin."""
    require_admin(admin)
    return add_moderator(store, name, password, role=role)


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise AuthError(f"ім'я модератора має містити від 1 до {MAX_NAME_CHARS} символів")
    if any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in name):
        raise AuthError("ім'я модератора не може містити керівних або невидимих символів")
    return name


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise AuthError(f"пароль закороткий: потрібно щонайменше {MIN_PASSWORD_CHARS} символів")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AuthError(f"пароль задовгий: не більше {MAX_PASSWORD_CHARS} символів")


def import_file(store: Store, path: str | Path) -> int:
    """Bring the accounts of an old JSON moderators file into the store; returns how many.

    Hashes and roles are kept as they are (nobody needs a new password); an account the store
    has already is left alone. The file is then renamed ``<name>.imported`` so it is read
    once; a missing file is nothing to do. Raises ``AuthError`` naming the file and the entry
    when it cannot be read (the store is not changed then).
    """
    path = Path(path)
    if not path.is_file():
        return 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AuthError(f"{path}: unreadable moderators file ({exc})") from exc
    entries = data.get("moderators") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise AuthError(f"{path}: not a moderators file (expected {{\"moderators\": {{...}}}})")
    rows = []
    for name, entry in entries.items():
        where = f"{path}: moderator {name!r}"
        if not isinstance(entry, dict) or not str(entry.get("hash", "")).startswith("$argon2"):
            raise AuthError(f"{where}: field 'hash' is not an argon2 hash")
        if entry.get("role") not in ROLES:
            raise AuthError(f"{where}: field 'role' must be one of {', '.join(ROLES)}")
        try:
            created = datetime.fromisoformat(entry["created_at"]) if entry.get("created_at") \
                else utcnow()
        except (TypeError, ValueError) as exc:
            raise AuthError(f"{where}: field 'created_at' is not a date ({exc})") from exc
        rows.append({"name": check_name(name), "password_hash": entry["hash"],
                     "role": entry["role"], "created_at": created})
    with store.write() as conn:
        known = set(conn.execute(sa.select(moderator_accounts.c.name)).scalars())
        new = [row for row in rows if row["name"] not in known]
        if new:
            conn.execute(moderator_accounts.insert(), new)
    os.replace(path, path.with_name(path.name + ".imported"))
    return len(new)
