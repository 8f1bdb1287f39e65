"""PostgreSQL roles: an owner that runs the migrations, an application role with only what the
application needs.

The owner role owns the schema and every table (``moderation db upgrade`` connects as it:
``MODERATION_DB_OWNER_URL``); the application (UI, ingest, service: ``MODERATION_DB_URL``)
logs in as another role, which ``grant`` gives exactly ``APP_PRIVILEGES``: ``SELECT`` and
``INSERT`` on the audit tables (``moderation.store.guards.AUDIT_TABLES``), what each
operational table needs, ``USAGE`` of the id sequences and of the schema. Everything else
it may have been given earlier is revoked first. Not owning the tables, it can neither
``ALTER``, ``DROP`` nor disable their triggers; without ``UPDATE``, ``DELETE`` and
``TRUNCATE`` it cannot change a row of an audit table, upserts included.

``problems`` checks a role against that list (``moderation db verify``).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moderation.errors import StoreError
from moderation.store.guards import AUDIT_TABLES
from moderation.store.schema import metadata

READ_ADD = ("SELECT", "INSERT")
APP_PRIVILEGES: dict[str, tuple[str, ...]] = {
    **{table: READ_ADD for table in AUDIT_TABLES},
    "comment_sketches": READ_ADD,  # written with their comment, never changed
    "ingest_runs": READ_ADD + ("UPDATE",),  # a run's counts when it finishes
    "queue_items": READ_ADD + ("UPDATE",),  # status; SELECT ... FOR UPDATE
    "claims": READ_ADD + ("UPDATE", "DELETE"),  # taken, renewed, released
    "api_keys": READ_ADD + ("UPDATE",),  # revoked_at
    "webhook_outbox": READ_ADD + ("UPDATE",),  # delivery state, leases
    "moderator_accounts": READ_ADD + ("UPDATE", "DELETE"),  # failures, lockout, removal
    "moderator_sessions": READ_ADD + ("UPDATE", "DELETE"),  # last seen, sign-out
    "signin_failures": READ_ADD + ("UPDATE", "DELETE"),  # counts per source
    "alembic_version": ("SELECT",),  # the schema's revision
}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                    "TRIGGER")


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def role_exists(conn: sa.Connection, role: str) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s",
                                {"r": role}).first() is not None


def grant(conn: sa.Connection, role: str) -> list[str]:
    """Give ``role`` exactly ``APP_PRIVILEGES`` in the connection's schema (run as the owner,
    in the migration transaction). Returns what was granted, one phrase per table."""
    if not role_exists(conn, role):
        raise StoreError(f"there is no PostgreSQL role {role!r}: create it first (CREATE ROLE "
                         f"{role} LOGIN PASSWORD '...'; see docs/operations.md)")
    who = _quote(conn, role)
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {_quote(conn, schema)} TO {who}")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {_quote(conn, schema)} FROM {who}")
    done = []
    for table in sorted(tables_in_schema(conn)):
        wanted = APP_PRIVILEGES.get(table, ())
        conn.exec_driver_sql(f"REVOKE ALL ON TABLE {_quote(conn, table)} FROM {who}")
        if wanted:
            conn.exec_driver_sql(f"GRANT {', '.join(wanted)} ON TABLE {_quote(conn, table)} "
                                 f"TO {who}")
        done.append(f"{table}: {', '.join(wanted) or 'nothing'}")
    for sequence in sequences(conn):
        conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {_quote(conn, sequence)} FROM {who}")
        conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {_quote(conn, sequence)} TO {who}")
    return done


def tables_in_schema(conn: sa.Connection) -> list[str]:
    return conn.exec_driver_sql(
        "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') "
        "AND c.relnamespace = current_schema()::regnamespace").scalars().all()


def sequences(conn: sa.Connection) -> list[str]:
    return conn.exec_driver_sql(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' "
        "AND c.relnamespace = current_schema()::regnamespace ORDER BY 1").scalars().all()


@dataclass(frozen=True)
class RoleCheck:
    role: str
    single_role: bool  # the role owns the tables or is a superuser: no separation at all
    problems: tuple[str, ...]  # the app could change the audit trail, or would fail
    warnings: tuple[str, ...]  # more than it needs on an operational table


def check(conn: sa.Connection, role: str) -> RoleCheck:
    """How ``role``'s privileges compare with ``APP_PRIVILEGES`` in the connection's schema."""
    if not role_exists(conn, role):
        return RoleCheck(role, False, (f"there is no PostgreSQL role {role!r}",), ())
    superuser = conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = %(r)s",
                                     {"r": role}).scalar_one()
    owners = dict(conn.exec_driver_sql(
        "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
        "WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"
    ).all())
    owned = [table for table in AUDIT_TABLES if table in owners
             and _member(conn, role, owners[table])]
    if superuser or owned:
        if superuser:
            what = "a superuser"
        elif owners[owned[0]] == role:
            what = f"the owner of {', '.join(owned)}"
        else:
            what = f"a member of {owners[owned[0]]}, which owns {', '.join(owned)}"
        return RoleCheck(role, True, (), (
            f"the application's role {role} is {what}: it can disable the triggers and "
            "change the audit trail; run the application as a role of its own "
            "(docs/operations.md, 'Roles')",))
    problems, warnings = [], []
    for table, wanted in APP_PRIVILEGES.items():
        if table not in owners:
            continue
        has = {p for p in TABLE_PRIVILEGES if conn.exec_driver_sql(
            "SELECT has_table_privilege(%(r)s, %(t)s, %(p)s)",
            {"r": role, "t": _qualified(conn, table), "p": p}).scalar_one()}
        extra, missing = sorted(has - set(wanted)), sorted(set(wanted) - has)
        if extra:
            sentence = f"{role} may {', '.join(extra)} on {table}"
            if table in AUDIT_TABLES:
                problems.append(f"{sentence}: it could change the audit trail")
            else:
                warnings.append(f"{sentence}, more than the application needs")
        if missing:
            problems.append(f"{role} may not {', '.join(missing)} on {table}: the "
                            "application would fail")
    for sequence in sequences(conn):
        if not conn.exec_driver_sql("SELECT has_sequence_privilege(%(r)s, %(s)s, 'USAGE')",
                                    {"r": role, "s": _qualified(conn, sequence)}).scalar_one():
            problems.append(f"{role} may not use the sequence {sequence}: the application "
                            "would fail to add rows")
    fix = "; run `moderation db upgrade` as the owner to set the privileges again"
    return RoleCheck(role, False, tuple(p + fix for p in problems), tuple(warnings))


def _member(conn: sa.Connection, role: str, owner: str) -> bool:
    return bool(conn.exec_driver_sql("SELECT pg_has_role(%(r)s, %(o)s, 'USAGE')",
                                     {"r": role, "o": owner}).scalar_one())


def _qualified(conn: sa.Connection, table: str) -> str:
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return f"{_quote(conn, schema)}.{_quote(conn, table)}"


def current_user(conn: sa.Connection) -> str:
    return conn.exec_driver_sql("SELECT current_user").scalar_one()


def expected_tables() -> set[str]:
    """Every table the migrations make, with ``alembic_version``: each has an entry above."""
    return set(metadata.tables) | {"alembic_version"}
