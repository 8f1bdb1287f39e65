"""The ``--db`` option shared by the store subcommands."""
from __future__ import annotations

import argparse


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help="comment store URL, e.g. sqlite:///moderation.db or "
                             "postgresql+psycopg://user@host/db (default: $MODERATION_DB_URL, "
                             "else SQLite in the data directory)")


def open_store_arg(args: argparse.Namespace):
    """The store named by ``--db`` (or the settings), migrated to the newest schema."""
    from moderation.store import open_store

    return open_store(args.db)
