"""``moderation moderator``: add, remove and list moderator accounts."""
from __future__ import annotations

import argparse
import getpass
import sys

from moderation.auth import ROLES


def register(sub) -> None:
    p = sub.add_parser("moderator", help="moderator accounts (add, remove, list)",
                       description="Accounts live in $MODERATION_MODERATORS_FILE (default "
                                   "<data dir>/moderators.json), with argon2 password hashes.")
    p.add_argument("--file", metavar="PATH", default=None,
                   help="moderators file (default: the settings' moderators_file)")
    actions = p.add_subparsers(dest="moderator_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="moderator")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.add_argument("--replace", action="store_true", help="reset an existing account")
    add.set_defaults(func=run_add)
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)
    actions.add_parser("list", help="names and roles").set_defaults(func=run_list)


def _path(args: argparse.Namespace):
    from moderation.settings import get_settings

    return args.file or get_settings().moderators_file


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

    moderator = add_moderator(_path(args), args.name, _password(args), role=args.role,
                              replace=args.replace)
    print(f"added {moderator.role} {moderator.name!r} to {_path(args)}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from moderation.auth import remove_moderator

    remove_moderator(_path(args), args.name)
    print(f"removed {args.name!r} from {_path(args)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from moderation.auth import list_moderators

    for moderator in list_moderators(_path(args)):
        print(f"{moderator.name}\t{moderator.role}")
    return 0
