"""Checking a name and password without telling anyone which names exist.

Every attempt costs exactly one argon2 check, made before and outside any transaction (a
name that does not exist is checked against a dummy hash), so an unknown name, a wrong
password and a locked account take the same time and get the same answer
(``SIGNIN_REFUSED``); a slow check never holds up a signed-in moderator's page. Only then
one short transaction reads and updates the failure counts:

- per account: ``MAX_FAILURES`` wrong passwords in a row lock it for ``LOCKOUT_MINUTES``
  (even the right password is refused meanwhile); a right password resets the count;
- per source address: ``MAX_SOURCE_FAILURES`` failures within ``LOCKOUT_MINUTES`` lock every
  sign-in from that address for ``LOCKOUT_MINUTES``, whatever names it tries, so guessing
  across many names is slowed too. A right password does not reset a source's count.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderation.auth.accounts import MAX_PASSWORD_CHARS, Moderator, check_name, hasher
from moderation.errors import AuthError
from moderation.store import Store
from moderation.store.schema import moderator_accounts, signin_failures, utcnow

MAX_FAILURES = 5
MAX_SOURCE_FAILURES = 20
LOCKOUT_MINUTES = 15
SIGNIN_REFUSED = ("Не вдалося увійти: неправильне ім'я або пароль, або після кількох невдалих "
                  f"спроб вхід тимчасово заблоковано (до {LOCKOUT_MINUTES} хвилин).")
_DUMMY_HASH = hasher.hash("not a real password")
_MAX_SOURCE_CHARS = 100


def verify(store: Store, name: str, password: str, *, source: str | None = None) -> Moderator | None:
    """The moderator when ``name`` and ``password`` are right and neither the account nor
    ``source`` (the client's address) is locked; else ``None``, the same for every reason."""
    try:
        name = check_name(name)
    except AuthError:
        name = ""
    password = (password or "")[:MAX_PASSWORD_CHARS + 1]
    with store.read() as conn:
        row = conn.execute(sa.select(moderator_accounts.c.password_hash)
                           .where(moderator_accounts.c.name == name)).first() if name else None
    right = _check(row.password_hash if row else _DUMMY_HASH, password) and row is not None
    source = (source or "unknown")[:_MAX_SOURCE_CHARS]
    now = utcnow()
    with store.write() as conn:
        account = conn.execute(sa.select(moderator_accounts).where(
            moderator_accounts.c.name == name).with_for_update()).first() if row else None
        # the hash may have changed since it was read (password reset): then it is refused
        right = right and account is not None and account.password_hash == row.password_hash
        locked = _source_locked(conn, source, now) or bool(
            account and account.locked_until and account.locked_until > now)
        if right and not locked:
            conn.execute(moderator_accounts.update().where(moderator_accounts.c.name == name)
                         .values(failures=0, locked_until=None))
            result = Moderator(name, account.role)
        else:
            if account is not None and not locked:
                failures = account.failures + 1
                lock = failures >= MAX_FAILURES
                conn.execute(moderator_accounts.update()
                             .where(moderator_accounts.c.name == name)
                             .values(failures=0 if lock else failures,
                                     locked_until=now + timedelta(minutes=LOCKOUT_MINUTES)
                                     if lock else None))
            _count_source_failure(conn, source, now)
            result = None
    if result is not None and hasher.check_needs_rehash(row.password_hash):
        digest = hasher.hash(password)
        with store.write() as conn:
            conn.execute(moderator_accounts.update().where(
                moderator_accounts.c.name == name,
                moderator_accounts.c.password_hash == row.password_hash).values(
                password_hash=digest))
    return result


def _check(hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _source_locked(conn: sa.Connection, source: str, now: datetime) -> bool:
    until = conn.execute(sa.select(signin_failures.c.locked_until)
                         .where(signin_failures.c.source == source)).scalar()
    return until is not None and until > now


def _count_source_failure(conn: sa.Connection, source: str, now: datetime) -> None:
    window = timedelta(minutes=LOCKOUT_MINUTES)
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[conn.dialect.name]
    conn.execute(insert(signin_failures).values(source=source, failures=0, window_start=now)
                 .on_conflict_do_nothing(index_elements=["source"]))
    row = conn.execute(sa.select(signin_failures).where(signin_failures.c.source == source)
                       .with_for_update()).one()
    if row.locked_until is not None and row.locked_until > now:
        return
    failures, start = (row.failures + 1, row.window_start) if now - row.window_start < window \
        else (1, now)
    lock = failures >= MAX_SOURCE_FAILURES
    conn.execute(signin_failures.update().where(signin_failures.c.source == source).values(
        failures=0 if lock else failures, window_start=now if lock else start,
        locked_until=now + window if lock else None))
