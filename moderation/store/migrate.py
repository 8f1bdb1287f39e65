"""Apply the packaged Alembic migrations; called by the CLI and the app on start.

``ensure_schema`` (every ``open_store``) brings a store to the newest revision.
``upgrade_store`` (``moderation db upgrade``, run as the owner role on PostgreSQL) does that
too, and then also puts back what a store at the newest revision may have lost since: the
append-only triggers (``guards.install``: missing, changed or disabled ones, and unknown
ones on the audit tables) and, on PostgreSQL, the application role's privileges
(``roles.grant``).
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from moderation.errors import StoreError
from moderation.store import guards, roles
from moderation.store.engine import Store, make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK_KEY = 0x6D6F6465  # "mode": one advisory lock id for schema upgrades
_PROCESS_LOCK = threading.Lock()  # Alembic's context is process-global: one upgrade at a time


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.cache
def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_schema(target: sa.Engine | Store | str) -> str:
    """Upgrade the store at ``target`` to the newest schema; returns the revision.

    Safe to call from several processes at once: the upgrade runs in one transaction that
    holds the database's write lock (SQLite) or an advisory lock (PostgreSQL).
    Raises ``StoreError`` when the database is unreachable or refuses the upgrade.
    """
    engine = _engine_of(target)
    try:
        with _PROCESS_LOCK:
            return _upgrade(engine, head_revision())
    finally:
        if isinstance(target, str):
            engine.dispose()


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_store`` did."""

    before: str | None  # the revision it found (None: an empty database)
    revision: str  # the newest, now
    repaired: tuple[str, ...]  # triggers put back, one phrase each
    app_role: str | None  # PostgreSQL: the role given the application's privileges
    granted: tuple[str, ...]  # per table: what that role may do


def upgrade_store(target: sa.Engine | Store | str, *, app_role: str | None = None) -> Upgrade:
    """Migrate to the newest revision, then reinstall the append-only triggers and (on
    PostgreSQL, with ``app_role``) set that role's privileges, all in one transaction.
    Raises ``StoreError``."""
    engine = _engine_of(target)
    try:
        with _PROCESS_LOCK:
            head = head_revision()
            try:
                store = Store(engine, claim_minutes=0)
                with store.write(migration=True) as conn:
                    before = _migrate(store, conn, head)
                    repaired = guards.install(conn)
                    granted = roles.grant(conn, app_role) \
                        if app_role and store.dialect == "postgresql" else []
            except sa.exc.SQLAlchemyError as exc:
                raise _refused(engine, exc) from exc
            return Upgrade(before, head, tuple(repaired), app_role if granted else None,
                           tuple(granted))
    finally:
        if isinstance(target, str):
            engine.dispose()


def _upgrade(engine: sa.Engine, head: str) -> str:
    try:
        if current_revision(engine) == head:
            return head
        store = Store(engine, claim_minutes=0)
        with store.write(migration=True) as conn:
            _migrate(store, conn, head)
    except sa.exc.SQLAlchemyError as exc:
        raise _refused(engine, exc) from exc
    return head


def _migrate(store: Store, conn: sa.Connection, head: str) -> str | None:
    """Run the missing migrations on ``conn`` (under the upgrade lock); the revision found."""
    if store.dialect == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
    before = MigrationContext.configure(conn).get_current_revision()
    if before != head:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        check_foreign_keys(store, conn)
    return before


def _refused(engine: sa.Engine, exc: sa.exc.SQLAlchemyError) -> StoreError:
    # insufficient_privilege; invalid_schema_name (no USAGE of the schema to create in)
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in ("42501", "3F000"):
        return StoreError(f"the comment store at {_safe_url(engine)} needs a schema upgrade "
                          f"that this role may not make ({_first_line(exc)}): run `moderation "
                          "db upgrade` with the owner's URL (MODERATION_DB_OWNER_URL)")
    return StoreError(f"cannot prepare the comment store at {_safe_url(engine)}: "
                      f"{_first_line(exc)}")


def check_foreign_keys(store: Store, conn: sa.Connection) -> None:
    """Raise ``StoreError`` (the upgrade is rolled back) when a row of a SQLite store refers
    to a row that is not there. SQLite checks no foreign key while a migration recreates
    tables (``Store.write(migration=True)``), so this check runs before the commit;
    PostgreSQL checks them itself."""
    if store.dialect != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        shown = "; ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:5])
        raise StoreError(f"the migration would leave {len(broken)} broken references "
                         f"({shown}); nothing was changed")


def _engine_of(target: sa.Engine | Store | str) -> sa.Engine:
    if isinstance(target, Store):
        return target.engine
    if isinstance(target, sa.Engine):
        return target
    return make_engine(target)


def _safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
