"""Moderator accounts: a JSON file of argon2 hashes and roles, with lockout after failures.

The file (``settings.moderators_file``) lives outside the repository, is written atomically
(temporary file, fsync, rename) with mode 600, and under an exclusive lock so that two
processes never lose each other's changes. After ``MAX_FAILURES`` wrong passwords in a row
an account is locked for ``LOCKOUT_MINUTES``; a right password resets the count.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from moderation.errors import AccountLocked, AuthError
from moderation.tables import atomic_path

ROLES = ("moderator", "admin")
MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_CHARS = 8
MAX_NAME_CHARS = 64
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")  # keeps unknown names as slow as known ones


@dataclass(frozen=True)
class Moderator:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def add_moderator(path: str | Path, name: str, password: str, *,
                  role: str = "moderator", replace: bool = False) -> Moderator:
    """Create (or with ``replace``, reset) an account. Raises ``AuthError``."""
    name = check_name(name)
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    with _accounts(path, write=True) as accounts:
        if name in accounts and not replace:
            raise AuthError(f"moderator {name!r} exists already")
        accounts[name] = {"hash": _hasher.hash(password), "role": role,
                          "created_at": _now().isoformat(), "failures": 0, "locked_until": None}
    return Moderator(name, role)


def remove_moderator(path: str | Path, name: str) -> None:
    with _accounts(path, write=True) as accounts:
        if accounts.pop(name, None) is None:
            raise AuthError(f"no moderator named {name!r}")


def list_moderators(path: str | Path) -> list[Moderator]:
    with _accounts(path, write=False) as accounts:
        return [Moderator(name, entry["role"]) for name, entry in sorted(accounts.items())]


def verify(path: str | Path, name: str, password: str) -> Moderator | None:
    """The moderator when ``password`` is right, else ``None``.

    Raises ``AccountLocked`` while the account is locked (even for the right password).
    """
    with _accounts(path, write=True) as accounts:
        entry = accounts.get(name)
        if entry is None:
            _check(_DUMMY_HASH, password)
            return None
        locked_until = entry.get("locked_until")
        if locked_until and datetime.fromisoformat(locked_until) > _now():
            raise AccountLocked(name, datetime.fromisoformat(locked_until), MAX_FAILURES)
        if not _check(entry["hash"], password):
            entry["failures"] = entry.get("failures", 0) + 1
            if entry["failures"] >= MAX_FAILURES:
                entry["failures"] = 0
                entry["locked_until"] = (_now() + timedelta(minutes=LOCKOUT_MINUTES)).isoformat()
            return None
        entry["failures"], entry["locked_until"] = 0, None
        if _hasher.check_needs_rehash(entry["hash"]):
            entry["hash"] = _hasher.hash(password)
        return Moderator(name, entry["role"])


def require_admin(moderator: Moderator) -> None:
    if not moderator.is_admin:
        raise AuthError(f"{moderator.name!r} is not an admin: only an admin may do this")


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise AuthError(f"a moderator name needs 1 to {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in name):
        raise AuthError("a moderator name may not contain control or invisible characters")
    return name


def _check(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def _accounts(path: str | Path, *, write: bool) -> Iterator[dict]:
    """The accounts, locked; written back atomically (mode 600) when ``write``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        os.chmod(lock_path, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        accounts = _load(path)
        before = json.dumps(accounts, sort_keys=True)
        yield accounts
        if write and json.dumps(accounts, sort_keys=True) != before:
            _save(path, accounts)


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AuthError(f"{path}: unreadable moderators file ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("moderators"), dict):
        raise AuthError(f"{path}: not a moderators file (expected {{\"moderators\": {{...}}}})")
    return data["moderators"]


def _save(path: Path, accounts: dict) -> None:
    with atomic_path(path) as tmp:  # mkstemp makes it 600 before anything is written
        with open(tmp, "w", encoding="utf-8") as fh:
            os.chmod(tmp, 0o600)
            json.dump({"version": 1, "moderators": accounts}, fh, ensure_ascii=False, indent=2)
            fh.flush()
            os.fsync(fh.fileno())


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
        now = now or dt.datetime.now(dt.UTC)
        if now - last_seen > dt.timedelta(minutes=self.idle_minutes):
            return "idle"
        if now - signed_in_at > dt.timedelta(hours=self.max_hours):
            return "max_age"
        return None


def account_of(path: str | Path, name: str) -> Moderator | None:
    """The account ``name`` as the moderators file says now (removed: ``None``)."""
    return next((m for m in list_moderators(path) if m.name == name), None)


def add_moderator_as(admin: Moderator, path: str | Path, name: str, password: str, *,
                     role: str = "moderator") -> Moderator:
    """``admin`` adds an account; raises ``AuthError`` unless ``admin`` is an admin."""
    require_admin(admin)
    return add_moderator(path, name, password, role=role)
