"""``moderation db``: create or upgrade the comment store's schema; back a SQLite store up."""
from __future__ import annotations

import argparse

from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser("db", help="comment store schema (upgrade, current) and SQLite backup")
    actions = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply the migrations up to the newest schema")
    add_db_option(upgrade)
    upgrade.set_defaults(func=run_upgrade)
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


def _url(args: argparse.Namespace) -> str:
    from moderation.settings import get_settings

    return args.db or get_settings().db_url


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def run_upgrade(args: argparse.Namespace) -> int:
    from moderation.store import ensure_schema

    url = _url(args)
    print(f"{_shown(url)}: schema at revision {ensure_schema(url)} (newest)")
    return 0


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
