"""``moderation decisions import``: past moderation outcomes as decisions on stored comments."""
from __future__ import annotations

import argparse
import json
import sys

from moderation.cli._common import print_problems
from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser("decisions", help="import past moderation outcomes as decisions")
    actions = p.add_subparsers(dest="decisions_command", required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import", help="import a site's history of deleted and kept comments",
        description="FILE (.csv or .jsonl) has 'id' (the external id of a comment already "
                    "ingested) and 'labels' (the rules it broke, ';'-joined; empty: it was "
                    "kept). Each row becomes an 'import' decision on the comment's current "
                    "version and settles its open queue item. Unknown ids and bad rows are "
                    "reported on stderr with their line and field; the good rows are imported "
                    "in one transaction. Importing the same file again adds nothing; an "
                    "earlier import with other labels is replaced; a moderator's verdict is "
                    "never overwritten (such rows are rejected).")
    imp.add_argument("--input", required=True, metavar="FILE")
    imp.add_argument("--moderator", required=True, metavar="NAME",
                     help="who runs the import (recorded with every imported decision)")
    add_db_option(imp)
    imp.add_argument("--json", action="store_true",
                     help="end stdout with one JSON line: read, imported, unknown, rejected, "
                          "unchanged")
    imp.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from moderation.cli._db import open_store_arg
    from moderation.queue.imports import import_decisions

    if not args.moderator.strip():
        print("error: --moderator needs a name", file=sys.stderr)
        return 2
    store = open_store_arg(args)
    try:
        summary = import_decisions(store, args.input, args.moderator.strip())
    finally:
        store.dispose()
    print(f"{args.input}: read {summary.read:,} rows; imported {summary.imported:,} decisions; "
          f"unchanged {summary.unchanged:,}; unknown ids {summary.unknown:,}; "
          f"rejected {summary.rejected:,}")
    if summary.errors:
        print(f"{len(summary.errors)} rows not imported:", file=sys.stderr)
        print_problems(list(summary.errors))
    if args.json:
        print(json.dumps(summary.counts()))
    return 0
