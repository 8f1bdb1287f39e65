"""``moderation apikey``: the site's API keys for ``moderation serve`` (add, list, revoke)."""
from __future__ import annotations

import argparse

from moderation.cli._db import add_db_option, open_store_arg
from moderation.store.schema import API_SCOPES


def register(sub) -> None:
    p = sub.add_parser("apikey", help="API keys for the site integration service",
                       description="Keys live in the comment store; only an argon2 hash of "
                                   "each is kept, so a key is shown once, when it is made.")
    actions = p.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="make a key; prints it alone on the last line")
    add.add_argument("name", help="who uses it, e.g. the site's name (letters, digits, . _ -)")
    add.add_argument("--scopes", default="score,decisions", metavar="LIST",
                     help=f"','-joined scopes of {', '.join(API_SCOPES)} (default "
                          "score,decisions)")
    add_db_option(add)
    add.set_defaults(func=run_add)
    listing = actions.add_parser("list", help="names, scopes, when made and revoked")
    add_db_option(listing)
    listing.set_defaults(func=run_list)
    revoke = actions.add_parser("revoke", help="revoke a key at once (in every process)")
    revoke.add_argument("name")
    add_db_option(revoke)
    revoke.set_defaults(func=run_revoke)


def run_add(args: argparse.Namespace) -> int:
    from moderation.site.keys import add_key

    store = open_store_arg(args)
    try:
        key, secret = add_key(store, args.name, args.scopes)
    finally:
        store.dispose()
    print(f"API key {key.name!r} with scopes {','.join(key.scopes)}; it is shown only now, "
          "keep it in the site's configuration:")
    print(secret)
    return 0


def run_list(args: argparse.Namespace) -> int:
    from moderation.site.keys import list_keys

    store = open_store_arg(args)
    try:
        keys = list_keys(store)
    finally:
        store.dispose()
    for key in keys:
        revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        print(f"{key.name}\t{','.join(key.scopes)}\tcreated {key.created_at:%Y-%m-%d %H:%M}"
              f"\t{revoked}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from moderation.site.keys import revoke_key

    store = open_store_arg(args)
    try:
        key = revoke_key(store, args.name)
    finally:
        store.dispose()
    print(f"revoked API key {key.name!r}")
    return 0
