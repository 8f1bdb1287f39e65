"""What keeps the audit tables append-only in the database itself, on SQLite and PostgreSQL.

The audit tables (``AUDIT_TABLES``) are the record a moderator's verdict stands on: the
decisions, the comment versions and scores they were made on, and the model promotions.
Rows are only ever added to them:

- **PostgreSQL**: the application's role gets ``SELECT`` and ``INSERT`` on them and nothing
  else (``moderation.store.roles``), and does not own them, so it cannot ``UPDATE``,
  ``DELETE``, ``TRUNCATE``, upsert, ``ALTER``, ``DROP`` or disable a trigger. Triggers
  (``<table>_no_change`` for ``UPDATE``/``DELETE``, ``<table>_no_truncate``) refuse changes
  even from the owner, so a mistake made as the owner fails too.
- **SQLite** (one file that the application's process owns): triggers refuse ``UPDATE`` and
  ``DELETE`` (``<table>_no_update``, ``<table>_no_delete``) and an ``INSERT`` of a row
  whose key is taken (``<table>_no_replace``: ``INSERT OR REPLACE`` and ``REPLACE`` would
  otherwise delete the old row); every connection the store opens sets
  ``PRAGMA recursive_triggers=ON``, so a ``REPLACE`` that removes a row fires the delete
  trigger too, and installs ``sqlite_authorizer``, which refuses schema changes (``DROP``,
  ``ALTER``, ``CREATE TRIGGER``, ``ATTACH``, ``PRAGMA writable_schema`` or
  ``recursive_triggers``) outside a migration.

What a process outside the application does to the file or as the owner (drop a trigger,
edit a row) is caught afterwards by ``moderation db verify`` (``moderation.store.verify``):
the triggers are compared with ``expected_triggers`` and the decisions with their hash chain
(``moderation.store.chain``). ``install`` (run by migration 0004 and by every
``moderation db upgrade``) creates what is missing, replaces what differs and drops unknown
triggers on the audit tables; it returns what it changed.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import sqlalchemy as sa

# the tables whose rows are never changed or removed; the decisions are also hash-chained
AUDIT_TABLES = ("comments", "predictions", "decisions", "model_versions", "author_actions")
MESSAGES = {
    "decisions": "decisions are append-only: record an undo instead of changing a decision",
    "comments": "comments are append-only: an edited comment is stored as a new version",
    "predictions": "predictions are append-only: score the comment again instead",
    "model_versions": "model_versions are append-only: promote another model instead",
    "author_actions": "author_actions are append-only: record a new action (or lift one) "
                      "instead",
}
# SQLite: the columns of each table that a second row may not share (its keys), for
# <table>_no_replace. comments keep only their id here: ingest inserts with ON CONFLICT DO
# NOTHING on (external_id, version), which a BEFORE INSERT trigger would turn into an error;
# a REPLACE on those columns fires comments_no_delete (recursive_triggers)
SQLITE_KEYS = {
    "comments": ("id",),
    "predictions": ("id",),
    "decisions": ("id", "reverts_id", "prev_hash"),
    "model_versions": ("id",),
    "author_actions": ("id",),
}
PG_FUNCTION = "moderation_append_only"
PG_FUNCTION_BODY = " BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0]; END "
# pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32
PG_NO_CHANGE_TYPE = 1 | 2 | 8 | 16
PG_NO_TRUNCATE_TYPE = 2 | 32


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    sql: str  # SQLite: the CREATE TRIGGER statement; PostgreSQL: CREATE OR REPLACE TRIGGER
    pg_type: int = 0  # PostgreSQL: the tgtype it must have


def expected_triggers(dialect: str, tables: tuple[str, ...] = AUDIT_TABLES) -> list[Trigger]:
    """The append-only triggers the newest schema has (on ``tables``), for ``dialect``."""
    out = []
    for table in tables:
        message = MESSAGES[table]
        if dialect == "postgresql":
            out.append(Trigger(
                f"{table}_no_change", table,
                f"CREATE OR REPLACE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}('{message}')", PG_NO_CHANGE_TYPE))
            out.append(Trigger(
                f"{table}_no_truncate", table,
                f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}('{message}')",
                PG_NO_TRUNCATE_TYPE))
            continue
        for event in ("UPDATE", "DELETE"):
            out.append(Trigger(
                f"{table}_no_{event.lower()}", table,
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"))
        taken = " OR ".join(f"{key} = NEW.{key}" for key in SQLITE_KEYS[table])
        out.append(Trigger(
            f"{table}_no_replace", table,
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
            f"BEGIN SELECT RAISE(ABORT, '{message} (a row with this key exists)'); END"))
    return out


def _squash(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def _pg_function_sql() -> str:
    return (f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $${PG_FUNCTION_BODY}$$")


# ------------------------------------------------------------------ what the store holds


@dataclass(frozen=True)
class FoundTrigger:
    name: str
    table: str
    sql: str = ""  # SQLite
    pg_type: int = 0  # PostgreSQL
    enabled: bool = True  # PostgreSQL: tgenabled is 'O' or 'A'
    function: str = ""  # PostgreSQL: the function it runs
    args: str = ""  # PostgreSQL: its argument


def found_triggers(conn: sa.Connection) -> list[FoundTrigger]:
    """The triggers on the audit tables, as the store holds them."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, p.proname, "
            "encode(t.tgargs, 'escape') FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
            "AND c.relname = ANY(%(tables)s)", {"tables": list(AUDIT_TABLES)}).all()
        return [FoundTrigger(name, table, pg_type=int(kind), enabled=state in ("O", "A"),
                             function=function, args=_first_arg(args))
                for name, table, kind, state, function, args in rows]
    rows = conn.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all()
    return [FoundTrigger(name, table, sql=sql or "") for name, table, sql in rows
            if table in AUDIT_TABLES]


def _first_arg(args: str | None) -> str:
    """The first argument in ``encode(tgargs, 'escape')`` (each one ends in a zero byte,
    shown as the four characters ``\\000``)."""
    return (args or "").split("\\000")[0]


def _pg_function_source(conn: sa.Connection) -> str | None:
    return conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = %(name)s "
        "AND pronamespace = current_schema()::regnamespace",
        {"name": PG_FUNCTION}).scalar()


def problems(conn: sa.Connection, tables: tuple[str, ...] = AUDIT_TABLES) -> list[str]:
    """What differs from ``expected_triggers``: one sentence per trigger (empty: all fine).
    ``tables``: the audit tables of the store's revision (default the newest)."""
    dialect = conn.dialect.name
    expected = {t.name: t for t in expected_triggers(dialect, tables)}
    found = {t.name: t for t in found_triggers(conn)}
    out = []
    if dialect == "postgresql":
        source = _pg_function_source(conn)
        if source is None:
            out.append(f"the function {PG_FUNCTION}() that refuses changes is missing")
        elif _squash(source) != _squash(PG_FUNCTION_BODY):
            out.append(f"the function {PG_FUNCTION}() was changed: it no longer refuses "
                       "changes as it should")
    for name, want in expected.items():
        have = found.get(name)
        if have is None:
            out.append(f"trigger {name} on {want.table} is missing")
        elif have.table != want.table:
            out.append(f"trigger {name} is on {have.table}, not on {want.table}")
        elif dialect == "postgresql":
            if have.pg_type != want.pg_type or have.function != PG_FUNCTION \
                    or have.args != MESSAGES[want.table]:
                out.append(f"trigger {name} on {want.table} was changed")
            elif not have.enabled:
                out.append(f"trigger {name} on {want.table} is disabled")
        elif _squash(have.sql) != _squash(want.sql):
            out.append(f"trigger {name} on {want.table} was changed")
    for name, have in sorted(found.items()):
        if name not in expected:
            out.append(f"unknown trigger {name} on {have.table} (not made by the migrations)")
    return out


def install(conn: sa.Connection, tables: tuple[str, ...] = AUDIT_TABLES) -> list[str]:
    """Create the missing triggers, replace changed ones, enable disabled ones and drop
    unknown ones on the audit tables (the owner's connection, inside a migration
    transaction). Returns what was done, one phrase each (empty: nothing to do).

    ``tables``: the audit tables the schema has at this point of the migrations (an older
    migration installs the triggers of the tables it knows, not those made later)."""
    dialect = conn.dialect.name
    expected = {t.name: t for t in expected_triggers(dialect, tables)}
    found = {t.name: t for t in found_triggers(conn)}
    done = []
    if dialect == "postgresql":
        source = _pg_function_source(conn)
        if source is None or _squash(source) != _squash(PG_FUNCTION_BODY):
            conn.exec_driver_sql(_pg_function_sql())
            done.append(f"{'created' if source is None else 'restored'} function "
                        f"{PG_FUNCTION}()")
    for name, have in sorted(found.items()):
        if name not in expected:
            drop = (f"DROP TRIGGER {name} ON {have.table}" if dialect == "postgresql"
                    else f"DROP TRIGGER {name}")
            conn.exec_driver_sql(drop)
            done.append(f"dropped unknown trigger {name} on {have.table}")
    for name, want in expected.items():
        have = found.get(name)
        if dialect == "postgresql":
            same = have is not None and have.table == want.table and \
                have.pg_type == want.pg_type and have.function == PG_FUNCTION and \
                have.args == MESSAGES[want.table]
            if not same:
                if have is not None and have.table != want.table:
                    conn.exec_driver_sql(f"DROP TRIGGER {name} ON {have.table}")
                conn.exec_driver_sql(want.sql)
                done.append(f"{'created' if have is None else 'restored'} trigger {name}")
            elif not have.enabled:
                conn.exec_driver_sql(f"ALTER TABLE {want.table} ENABLE TRIGGER {name}")
                done.append(f"enabled trigger {name}")
            continue
        if have is not None and _squash(have.sql) == _squash(want.sql) \
                and have.table == want.table:
            continue
        if have is not None:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
        conn.exec_driver_sql(want.sql)
        done.append(f"{'created' if have is None else 'restored'} trigger {name}")
    return done


# ------------------------------------------------------------------ SQLite's authorizer

_SCHEMA_CHANGES = frozenset(getattr(sqlite3, name) for name in (
    "SQLITE_CREATE_INDEX", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TEMP_INDEX",
    "SQLITE_CREATE_TEMP_TABLE", "SQLITE_CREATE_TEMP_TRIGGER", "SQLITE_CREATE_TEMP_VIEW",
    "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW", "SQLITE_CREATE_VTABLE",
    "SQLITE_DROP_INDEX", "SQLITE_DROP_TABLE", "SQLITE_DROP_TEMP_INDEX",
    "SQLITE_DROP_TEMP_TABLE", "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_TEMP_VIEW",
    "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW", "SQLITE_DROP_VTABLE", "SQLITE_ALTER_TABLE",
    "SQLITE_ATTACH", "SQLITE_DETACH"))
# pragmas that would let a statement change or remove rows past the triggers
_GUARDED_PRAGMAS = frozenset({"recursive_triggers", "writable_schema"})


def sqlite_authorizer(action: int, arg1, arg2, _database, _trigger) -> int:
    """Installed on every SQLite connection of the store (lifted only while a migration
    runs): refuses schema changes and the pragmas that would get round the triggers."""
    if action in _SCHEMA_CHANGES:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() in _GUARDED_PRAGMAS \
            and arg2 is not None:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK
