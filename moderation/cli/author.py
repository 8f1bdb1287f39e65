"""``moderation author``: watch, pre-moderate, ban or lift an author; list the actions in force."""
from __future__ import annotations

import argparse
from datetime import timedelta

from moderation.cli._db import add_db_option, open_store_arg
from moderation.store.schema import AUTHOR_KINDS


def register(sub) -> None:
    p = sub.add_parser("author", help="author actions: watch, pre-moderate, ban, lift",
                       description="Every change is recorded (append-only); the latest "
                                   "unexpired action of an author is in force.")
    actions = p.add_subparsers(dest="author_command", required=True, metavar="ACTION")
    put = actions.add_parser("set", help="record an action for an author")
    put.add_argument("author", help="the author's name exactly as the site sends it")
    put.add_argument("kind", choices=AUTHOR_KINDS)
    put.add_argument("--reason", required=True, help="why (required)")
    put.add_argument("--days", type=float, default=None,
                     help="in force for this many days (default: until lifted)")
    put.add_argument("--moderator", required=True, help="who decides it")
    add_db_option(put)
    put.set_defaults(func=run_set)
    listing = actions.add_parser("list", help="the actions in force, newest first")
    add_db_option(listing)
    listing.set_defaults(func=run_list)


def run_set(args: argparse.Namespace) -> int:
    from moderation.queue.authors import set_author_action
    from moderation.store.schema import utcnow

    now = utcnow()
    expires = now + timedelta(days=args.days) if args.days else None
    store = open_store_arg(args)
    try:
        action = set_author_action(store, args.moderator, args.author, args.kind, args.reason,
                                   expires_at=expires, now=now)
    finally:
        store.dispose()
    until = f" until {action.expires_at:%Y-%m-%d %H:%M} UTC" if action.expires_at else ""
    print(f"{action.kind} for {action.author!r}{until} (entry {action.id})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from moderation.queue.authors import actions_in_force

    store = open_store_arg(args)
    try:
        actions = actions_in_force(store)
    finally:
        store.dispose()
    for a in actions:
        until = f"{a.expires_at:%Y-%m-%d %H:%M}" if a.expires_at else "until lifted"
        print(f"{a.author}\t{a.kind}\t{until}\t{a.moderator}\t{a.reason}")
    return 0
