"""``moderation moderator``: add, remove and list moderator accounts (kept in the store)."""
from __future__ import annotations

import argparse
import getpass
import sys

from moderation.auth import ROLES
from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser("moderator", help="moderator accounts (add, remove, list)",
                       description="Accounts live in the comment store (argon2id password "
                                   "hashes), shared by every UI process on that store. An "
                                   "older version's moderators file "
                                   "($MODERATION_MODERATORS_FILE) is moved into the store "
                                   "the first time any of these commands runs.")
    actions = p.add_subparsers(dest="moderator_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="moderator")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.add_argument("--replace", action="store_true",
                     help="reset an existing account (its sessions end)")
    add_db_option(add)
    add.set_defaults(func=run_add)
    remove = actions.add_parser("remove", help="delete an account and end its sessions")
    remove.add_argument("name")
    add_db_option(remove)
    remove.set_defaults(func=run_remove)
    listing = actions.add_parser("list", help="names and roles")
    add_db_option(listing)
    listing.set_defaults(func=run_list)


def _store(args: argparse.Namespace):
    from moderation.auth import import_file
    from moderation.cli._db import open_store_arg
    from moderation.settings import get_settings

    store = open_store_arg(args)
    import_file(store, get_settings().moderators_file)
    return store


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        from moderation.errors import AuthError

        raise AuthError("the two passwords differ")
    return first


def run_add(args: argparse.Namespace) -> int:
    from moderation.auth import add_moderator

    password = _password(args)
    store = _store(args)
    try:
        moderator = add_moderator(store, args.name, password, role=args.role,
                                  replace=args.replace)
    finally:
        store.dispose()
    print(f"added {moderator.role} {moderator.name!r}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from moderation.auth import remove_moderator

    store = _store(args)
    try:
        remove_moderator(store, args.name)
    finally:
        store.dispose()
    print(f"removed {args.name!r} (its sessions have ended)")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from moderation.auth import list_moderators

    store = _store(args)
    try:
        for moderator in list_moderators(store):
            print(f"{moderator.name}\t{moderator.role}")
    finally:
        store.dispose()
    return 0
