"""``moderation db verify``: is this store what the migrations made, and is its record intact?

``verify_store(store)`` checks, and names each problem it finds:

- ``revision``: the store is at the newest migration;
- ``schema``: its tables, columns, indexes and constraints are the ones of
  ``moderation.store.schema`` (Alembic's comparison);
- ``triggers``: the append-only triggers of ``moderation.store.guards`` are there, unchanged
  and enabled, and no other trigger sits on an audit table;
- ``privileges`` (PostgreSQL): the application's role may do exactly what
  ``moderation.store.roles`` grants: a role that may change an audit table, or lacks what the
  application needs, is a problem. A role that owns the tables or is a superuser (one role
  for everything) is a warning: the triggers are then all that protects the record;
- ``chain``: every decision's hashes (``moderation.store.chain``), and with ``anchor`` a head
  kept from an earlier check.

``require_sound(store)`` is what the UI and the service call on start: it raises
``StoreIntegrityError`` (with the problems and how to repair) when the check fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from moderation.errors import StoreError, StoreIntegrityError
from moderation.store import chain, guards, roles
from moderation.store.engine import Store, make_engine
from moderation.store.migrate import head_revision
from moderation.store.schema import metadata

CHECKS = ("revision", "schema", "triggers", "privileges", "chain")
REPAIR = {
    "revision": "run `moderation db upgrade` (as the owner role on PostgreSQL)",
    "schema": "the tables were changed outside the migrations: restore the newest backup "
              "that passes `moderation db verify` (docs/operations.md, 'When verify fails')",
    "triggers": "run `moderation db upgrade` (as the owner role on PostgreSQL) to put the "
                "triggers back, then verify again: rows changed while they were missing "
                "show in the chain",
    "privileges": "run `moderation db upgrade` as the owner role to set the application "
                  "role's privileges",
    "chain": "decisions were changed outside the application: keep a copy of the store as "
             "evidence and restore the newest backup that passes `moderation db verify` "
             "(docs/operations.md, 'When verify fails')",
}


@dataclass(frozen=True)
class Finding:
    check: str  # one of CHECKS
    message: str


@dataclass(frozen=True)
class Report:
    url: str  # password hidden
    revision: str | None
    head: str  # the newest revision
    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    decisions: int = 0
    chain_head: str = ""  # "ID:HASH" of the last decision, to keep as an anchor
    app_role: str | None = None  # PostgreSQL: the role whose privileges were checked
    checked: tuple[str, ...] = field(default=CHECKS)

    @property
    def ok(self) -> bool:
        return not self.problems

    def repairs(self) -> list[str]:
        """How to repair, one sentence per kind of problem found."""
        seen = dict.fromkeys(f.check for f in self.problems)
        return [f"{check}: {REPAIR[check]}" for check in seen]

    def as_dict(self) -> dict:
        return {"ok": self.ok, "url": self.url, "revision": self.revision, "head": self.head,
                "app_role": self.app_role, "decisions": self.decisions,
                "chain_head": self.chain_head,
                "problems": [vars(f) for f in self.problems],
                "warnings": [vars(f) for f in self.warnings], "repair": self.repairs()}

    def lines(self) -> list[str]:
        out = [f"{self.url}: revision {self.revision or 'none'} (newest {self.head}); "
               f"{self.decisions} decisions, chain head {self.chain_head}"]
        out += [f"PROBLEM [{f.check}] {f.message}" for f in self.problems]
        out += [f"warning [{f.check}] {f.message}" for f in self.warnings]
        out += [f"repair: {line}" for line in self.repairs()]
        out.append("verify: OK" if self.ok else f"verify: FAILED ({len(self.problems)} "
                                                 "problems)")
        return out


def verify_store(target: Store | sa.Engine | str, *, app_role: str | None = None,
                 anchor: tuple[int, str] | None = None) -> Report:
    """Check the store at ``target``; see the module doc. ``app_role`` (PostgreSQL): the
    application's role (default: the connecting one). Raises ``StoreError`` only when the
    database cannot be reached."""
    engine = target.engine if isinstance(target, Store) else \
        target if isinstance(target, sa.Engine) else make_engine(target)
    try:
        with engine.connect() as conn, conn.begin():
            return _verify(conn, app_role, anchor)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot check the comment store at "
                         f"{engine.url.render_as_string(hide_password=True)}: "
                         f"{str(exc).strip().splitlines()[0]}") from exc
    finally:
        if isinstance(target, str):
            engine.dispose()


def _verify(conn: sa.Connection, app_role: str | None,
            anchor: tuple[int, str] | None) -> Report:
    url = conn.engine.url.render_as_string(hide_password=True)
    head = head_revision()
    context = MigrationContext.configure(conn)
    revision = context.get_current_revision()
    problems: list[Finding] = []
    warnings: list[Finding] = []
    if revision != head:
        state = "an empty database" if revision is None else f"at revision {revision}"
        problems.append(Finding("revision", f"the store is {state}; this version of the "
                                            f"code needs {head}"))
        return Report(url, revision, head, tuple(problems), checked=("revision",))
    problems += [Finding("schema", _describe(diff))
                 for diff in compare_metadata(context, metadata)]
    problems += [Finding("triggers", message) for message in guards.problems(conn)]
    role = None
    if conn.dialect.name == "postgresql":
        role = app_role or roles.current_user(conn)
        found = roles.check(conn, role)
        problems += [Finding("privileges", message) for message in found.problems]
        warnings += [Finding("privileges", message) for message in found.warnings]
    report = chain.check(conn, anchor=anchor)
    problems += [Finding("chain", message) for message in report.problems]
    return Report(url, revision, head, tuple(problems), tuple(warnings), report.rows,
                  str(report.head), role)


def _describe(diff) -> str:
    """One sentence for an Alembic difference (a tuple, or a list of them for a column)."""
    if isinstance(diff, list):
        return "; ".join(_describe(d) for d in diff)
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        table = diff[1].name
        return f"table {table} is missing" if kind == "add_table" else \
            f"table {table} is not part of the schema"
    if kind in ("add_column", "remove_column"):
        table, column = diff[2], diff[3].name
        return f"column {table}.{column} is missing" if kind == "add_column" else \
            f"column {table}.{column} is not part of the schema"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        what = diff[1]
        name = getattr(what, "name", None) or what
        table = getattr(getattr(what, "table", None), "name", "?")
        return f"{kind.split('_')[1]} {name} on {table} is " + \
            ("missing" if kind.startswith("add") else "not part of the schema")
    if kind.startswith("modify_"):
        _, _, table, column, *rest = diff
        return f"column {table}.{column} differs ({kind[7:]}: {rest[-2]!r} in the store, " \
               f"{rest[-1]!r} expected)"
    return repr(diff)


def require_sound(store: Store, *, app_role: str | None = None) -> Report:
    """Verify ``store``; raise ``StoreIntegrityError`` naming the problems and the repair
    when it fails (the UI and the service refuse to start then)."""
    report = verify_store(store, app_role=app_role)
    if not report.ok:
        shown = "; ".join(f"[{f.check}] {f.message}" for f in report.problems[:5])
        more = f" (and {len(report.problems) - 5} more)" if len(report.problems) > 5 else ""
        raise StoreIntegrityError(
            f"the comment store at {report.url} failed its check: {shown}{more}. To repair: "
            f"{' '.join(report.repairs())} Details: `moderation db verify`.", report=report)
    return report
