"""``moderation db``: upgrade and verify the comment store; back a SQLite store up, restore it."""
from __future__ import annotations

import argparse
import json
import re

from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser("db", help="comment store: schema upgrade and check, SQLite backup "
                                  "and restore")
    actions = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade", help="apply the migrations; put back the append-only triggers and the "
                        "application role's privileges",
        description="Brings the store to the newest schema, recreates missing, changed or "
                    "disabled append-only triggers (and drops unknown ones on the audit "
                    "tables), and on PostgreSQL grants the application role exactly what it "
                    "needs. Connects to --db, else $MODERATION_DB_OWNER_URL, else "
                    "$MODERATION_DB_URL.")
    add_db_option(upgrade)
    upgrade.add_argument("--app-role", metavar="ROLE", default=None,
                         help="PostgreSQL: the application's role (default: the user of "
                              "$MODERATION_DB_URL when it is not the one upgrading)")
    upgrade.set_defaults(func=run_upgrade)
    verify = actions.add_parser(
        "verify", help="check schema, triggers, privileges and the decisions' hash chain",
        description="Exit 0 when the store is sound, 1 naming each problem (and how to "
                    "repair), 2 when it cannot be reached.")
    add_db_option(verify)
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--app-role", metavar="ROLE", default=None,
                        help="PostgreSQL: the role whose privileges to check (default: the "
                             "user of $MODERATION_DB_URL, else the connecting one)")
    verify.add_argument("--anchor", metavar="ID:HASH", default=None, type=_anchor,
                        help="a chain head printed by an earlier verify: the chain must still "
                             "pass through it")
    verify.set_defaults(func=run_verify)
    current = actions.add_parser("current", help="print the schema revision of the store")
    add_db_option(current)
    current.set_defaults(func=run_current)
    backup = actions.add_parser(
        "backup", help="copy a SQLite store to a file while it is in use (online backup API)",
        description="A consistent copy of a SQLite store (WAL included) that is safe while "
                    "moderators work. For PostgreSQL use pg_dump: see docs/operations.md.")
    add_db_option(backup)
    backup.add_argument("--output", metavar="FILE", required=True,
                        help="backup file to write (replaced atomically, mode 600)")
    backup.set_defaults(func=run_backup)
    restore = actions.add_parser(
        "restore", help="replace a SQLite store with a backup that passes verify",
        description="Checks a copy of the backup (integrity, migrations, `db verify`) and "
                    "only then replaces the store's contents; a backup that fails is refused "
                    "and nothing is written. Stop the UI and ingestion first. For PostgreSQL "
                    "see docs/operations.md.")
    add_db_option(restore)
    restore.add_argument("--input", metavar="FILE", required=True, help="the backup file")
    restore.set_defaults(func=run_restore)


def _url(args: argparse.Namespace) -> str:
    from moderation.settings import get_settings

    return args.db or get_settings().db_url


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _pg_user(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.username if parsed.get_backend_name() == "postgresql" else None


def _app_role(given: str | None, connecting_url: str) -> str | None:
    """The application's role: given, else the user of MODERATION_DB_URL when that is not
    the user of ``connecting_url`` (PostgreSQL only)."""
    from moderation.settings import get_settings

    if given:
        return given
    app_user = _pg_user(get_settings().db_url)
    return app_user if app_user and app_user != _pg_user(connecting_url) else None


def run_upgrade(args: argparse.Namespace) -> int:
    from moderation.settings import get_settings
    from moderation.store.migrate import upgrade_store

    settings = get_settings()
    url = args.db or settings.db_owner_url or settings.db_url
    role = _app_role(args.app_role, url)
    done = upgrade_store(url, app_role=role)
    was = "" if done.before == done.revision else f", was {done.before or 'empty'}"
    print(f"{_shown(url)}: schema at revision {done.revision} (newest{was})")
    for phrase in done.repaired:
        print(f"  repaired: {phrase}")
    if done.app_role:
        print(f"  privileges of {done.app_role} set:")
        for line in done.granted:
            print(f"    {line}")
    elif _pg_user(url):
        print("  no application role named: the application shares this role, which can "
              "disable the triggers (see docs/operations.md, 'Roles')")
    _import_accounts(url, settings.moderators_file)
    return 0


def _import_accounts(url: str, path) -> None:
    """Accounts of an older version's moderators file move into the store (once)."""
    from moderation.auth import import_file
    from moderation.store import open_store

    if not path.is_file():
        return
    store = open_store(url, migrate=False)
    try:
        moved = import_file(store, path)
    finally:
        store.dispose()
    print(f"  moderator accounts: {moved} moved from {path} into the store "
          f"(the file is now {path.name}.imported)")


def _anchor(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"must be ID:HASH as `moderation db verify` prints "
                                         f"the chain head, got {value!r}")
    return int(match.group(1)), match.group(2)


def run_verify(args: argparse.Namespace) -> int:
    from moderation.store.verify import verify_store

    url = _url(args)
    report = verify_store(url, app_role=_app_role(args.app_role, url),
                          anchor=args.anchor)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1


def run_current(args: argparse.Namespace) -> int:
    from moderation.store import current_revision, head_revision, make_engine

    url = _url(args)
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = "newest" if current == head else f"behind {head}: run `moderation db upgrade`"
    print(f"{_shown(url)}: revision {current or 'none (empty)'} ({state})")
    return 0 if current == head else 1


def run_backup(args: argparse.Namespace) -> int:
    from moderation.store.backup import backup_sqlite

    url = _url(args)
    dest = backup_sqlite(url, args.output)
    print(f"{_shown(url)}: backed up to {dest} ({dest.stat().st_size:,} bytes)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from moderation.store.backup import restore_sqlite
    from moderation.store.verify import verify_store

    url = _url(args)
    restore_sqlite(args.input, url)
    report = verify_store(url)
    print(f"{_shown(url)}: restored from {args.input}; verified: {report.decisions} "
          f"decisions, chain head {report.chain_head}")
    return 0
