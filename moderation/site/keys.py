"""API keys for the site's calls to ``moderation serve``.

A key is ``mk_<key id>_<secret>``: 16 hex characters that name the key's row, then 32
random bytes (URL-safe base64). Only an argon2id hash of the whole key is stored
(``api_keys.key_hash``, argon2-cffi's defaults, as for passwords); the key is shown once, when it is
made. Each key has scopes (``score``, ``decisions``, ``appeal``) and may be revoked.

Checking an argon2 hash takes tens of milliseconds (and 64 MiB), far more than a request may
cost, so a ``KeyVerifier`` (one per service process) keeps the keys it has verified in a small
bounded cache keyed by their SHA-256 digest, for ``ttl`` seconds. A cached key is still looked
up by its row id on every request (one indexed read), so a revoked key is refused at once, in
every process (and a row whose hash changed is checked again). Concurrent requests with a key
that is not cached wait for one argon2 check instead of each running their own.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from moderation.errors import ApiKeyError
from moderation.store import Store
from moderation.store.schema import API_SCOPES, api_keys, utcnow

DEFAULT_SCOPES = ("score", "decisions")
MAX_NAME_CHARS = 64
_KEY = re.compile(r"mk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    key_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def from_row(cls, row) -> ApiKey:
        return cls(row.id, row.name, row.key_id, parse_scopes(row.scopes), row.created_at,
                   row.revoked_at)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def parse_scopes(value: str | Iterable[str]) -> tuple[str, ...]:
    """Scopes in canonical order; raises ``ApiKeyError`` naming an unknown one."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    parts = [p.strip() for p in parts if p.strip()]
    unknown = [p for p in parts if p not in API_SCOPES]
    if unknown:
        raise ApiKeyError(f"unknown scope {unknown[0]!r}; expected some of "
                          f"{', '.join(API_SCOPES)}")
    if not parts:
        raise ApiKeyError(f"a key needs at least one scope of {', '.join(API_SCOPES)}")
    return tuple(s for s in API_SCOPES if s in parts)


def add_key(store: Store, name: str, scopes: str | Iterable[str] = DEFAULT_SCOPES, *,
            hasher: PasswordHasher | None = None) -> tuple[ApiKey, str]:
    """Make a key named ``name``; returns its record and the key itself (shown once).

    Raises ``ApiKeyError`` for a bad or taken name or an unknown scope.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ApiKeyError(f"a key name is 1 to {MAX_NAME_CHARS} letters, digits, '.', '_' or "
                          "'-', starting with a letter or digit")
    chosen = parse_scopes(scopes)
    key_id = secrets.token_hex(8)
    key = f"mk_{key_id}_{secrets.token_urlsafe(32)}"
    digest = (hasher or PasswordHasher()).hash(key)
    with store.write() as conn:
        if conn.execute(sa.select(api_keys.c.id).where(api_keys.c.name == name)).first():
            raise ApiKeyError(f"an API key named {name!r} exists already (revoke it, then "
                              "choose another name)")
        row = conn.execute(api_keys.insert().values(
            name=name, key_id=key_id, key_hash=digest, scopes=",".join(chosen),
            created_at=utcnow()).returning(*api_keys.c)).one()
    return ApiKey.from_row(row), key


def list_keys(store: Store) -> list[ApiKey]:
    with store.read() as conn:
        return [ApiKey.from_row(row) for row in
                conn.execute(sa.select(*api_keys.c).order_by(api_keys.c.id))]


def revoke_key(store: Store, name: str) -> ApiKey:
    """Revoke the key named ``name`` (at once, in every service process)."""
    with store.write() as conn:
        row = conn.execute(sa.select(*api_keys.c).where(api_keys.c.name == name)).first()
        if row is None:
            raise ApiKeyError(f"no API key named {name!r}")
        if row.revoked_at is not None:
            raise ApiKeyError(f"the API key {name!r} was revoked already "
                              f"({row.revoked_at:%Y-%m-%d %H:%M} UTC)")
        row = conn.execute(api_keys.update().where(api_keys.c.id == row.id)
                           .values(revoked_at=utcnow()).returning(*api_keys.c)).one()
    return ApiKey.from_row(row)


class KeyVerifier:
    """Checks presented keys for one service process, with a bounded cache of verified ones.

    ``verify(key)`` returns the ``ApiKey`` or ``None`` (unknown, wrong or revoked key).
    Wrong keys are remembered too (same bound and ``ttl``), so repeating one does not cost
    an argon2 check each time.
    """

    def __init__(self, store: Store, *, ttl: float = 30.0, max_entries: int = 1024,
                 clock: Callable[[], float] = time.monotonic,
                 hasher: PasswordHasher | None = None):
        self.store, self.ttl, self.max_entries, self.clock = store, ttl, max_entries, clock
        self._hasher = hasher or PasswordHasher()
        self._cache: OrderedDict[bytes, tuple[float, int | None, str | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._checking: dict[bytes, threading.Lock] = {}  # digests under an argon2 check

    def verify(self, presented: str | None) -> ApiKey | None:
        if not presented or len(presented) > 200:
            return None
        match = _KEY.fullmatch(presented)
        if match is None:
            return None
        digest = hashlib.sha256(presented.encode()).digest()
        cached = self._get(digest)
        if cached is None or self.clock() - cached[0] > self.ttl:
            checking = self._checking_lock(digest)
            # a key not cached: wait for the one check; an expired one: whoever checks it
            # again, the others go on with the entry they have (the row is read anyway)
            if checking.acquire(blocking=cached is None):
                try:
                    fresh = self._get(digest)
                    cached = fresh if fresh is not None and fresh is not cached \
                        else self._check(digest, presented, match.group(1))
                finally:
                    checking.release()
                    with self._lock:
                        self._checking.pop(digest, None)
        _at, key_row_id, key_hash = cached
        if key_row_id is None:  # a wrong key, remembered
            return None
        with self.store.read() as conn:
            row = conn.execute(sa.select(*api_keys.c).where(api_keys.c.id == key_row_id)).first()
        if row is None or row.key_hash != key_hash:
            self._forget(digest)
            return None
        return None if row.revoked_at is not None else ApiKey.from_row(row)

    def _check(self, digest: bytes, presented: str, key_id: str):
        with self.store.read() as conn:
            row = conn.execute(sa.select(api_keys.c.id, api_keys.c.key_hash)
                               .where(api_keys.c.key_id == key_id)).first()
        good = row is not None and _matches(self._hasher, row.key_hash, presented)
        entry = (self.clock(), row.id if good else None, row.key_hash if good else None)
        self._put(digest, entry)
        return entry

    def _checking_lock(self, digest: bytes) -> threading.Lock:
        with self._lock:
            return self._checking.setdefault(digest, threading.Lock())

    def _forget(self, digest: bytes) -> None:
        with self._lock:
            self._cache.pop(digest, None)

    def _get(self, digest: bytes):
        with self._lock:
            entry = self._cache.get(digest)
            if entry is not None:
                self._cache.move_to_end(digest)
            return entry

    def _put(self, digest: bytes, entry: tuple) -> None:
        with self._lock:
            self._cache[digest] = entry
            self._cache.move_to_end(digest)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)

    def __len__(self) -> int:
        return len(self._cache)


def _matches(hasher: PasswordHasher, hashed: str, presented: str) -> bool:
    try:
        return hasher.verify(hashed, presented)
    except (VerificationError, InvalidHashError):
        return False
