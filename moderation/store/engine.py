"""Engines for the comment store: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.

SQLite writes use ``BEGIN IMMEDIATE`` (``Store.write``) so that a transaction that reads
then writes (claiming the next comment, deciding) holds the write lock from its first read:
two writers never interleave, and a busy database waits ``busy_timeout`` instead of failing.
Threads of one process take turns on a lock of their ``Store`` before that: SQLite's busy
handler polls with growing sleeps (up to 100 ms), so twenty threads of a service waiting on
the database itself would wait far longer than their turn.

Every SQLite connection also sets ``PRAGMA recursive_triggers=ON`` (so a ``REPLACE`` that
removes a row fires the append-only delete triggers) and installs the authorizer of
``moderation.store.guards``, which refuses schema changes except inside a migration
(``Store.write(migration=True)``).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from moderation.errors import StoreError
from moderation.settings import get_settings
from moderation.store.guards import sqlite_authorizer

BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "moderation_sqlite_begin"


def make_engine(url: str | sa.URL) -> sa.Engine:
    """An engine for ``url``; creates the SQLite file's folder. Raises ``StoreError``."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", None):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except ImportError as exc:
        raise StoreError(f"no driver for {parsed.drivername}: pip install 'psycopg[binary]'"
                         f" ({exc})") from exc


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise StoreError("the SQLite store needs a file path, e.g. sqlite:///moderation.db")
    folder = Path(database).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in its place, a read-only or full disk
        raise StoreError(f"cannot create the folder {folder} for the SQLite store: "
                         f"{exc.strerror or exc}; check MODERATION_DB_URL / MODERATION_DATA_DIR "
                         "and that the disk is writable") from exc
    engine = sa.create_engine(url, connect_args={"check_same_thread": False,
                                                 "timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA recursive_triggers=ON")  # REPLACE fires the delete triggers
        cursor.close()
        dbapi_connection.set_authorizer(sqlite_authorizer)  # no schema change but migrations
        # SQLite's own lower() folds ASCII only; filters compare Cyrillic case-insensitively
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def dialect_insert(dialect: str, table: sa.Table):
    """``INSERT`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for ``dialect``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@dataclass(frozen=True)
class Store:
    """An open comment store: the engine plus the queue's settings.

    Build it with ``open_store(url)``; every queue function takes it first.
    """

    engine: sa.Engine
    claim_minutes: float = field(default_factory=lambda: get_settings().claim_minutes)
    # SQLite: this process's writers take turns here first (see the module doc)
    _writer: threading.RLock = field(default_factory=threading.RLock, compare=False,
                                     repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, *, migration: bool = False) -> Iterator[sa.Connection]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).

        ``migration=True`` is for schema migrations only. On SQLite the connection then
        neither enforces foreign keys in this transaction (a table others refer to can be
        recreated; the caller checks them before the commit, ``migrate.check_foreign_keys``)
        nor refuses schema changes (``guards.sqlite_authorizer``). SQLite ignores the
        foreign-key switch inside a transaction, so both are set before ``BEGIN`` and set back
        afterwards; a connection where that fails is discarded, not reused.
        """
        if self.dialect != "sqlite":
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        with self._writer, self.engine.connect() as conn:
            conn = conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            if not migration:
                with conn.begin():
                    yield conn
                return
            raw = conn.connection.driver_connection
            raw.set_authorizer(None)
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    yield conn
            finally:
                try:
                    raw.execute("PRAGMA foreign_keys=ON")
                    raw.set_authorizer(sqlite_authorizer)
                except Exception:
                    conn.invalidate()
                    raise

    def insert(self, table: sa.Table):
        """An ``INSERT`` for this backend, with its ``ON CONFLICT`` clauses."""
        return dialect_insert(self.dialect, table)

    def dispose(self) -> None:
        self.engine.dispose()
