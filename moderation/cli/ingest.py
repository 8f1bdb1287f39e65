"""``moderation ingest``: score a CSV/JSONL file of comments and store them for review."""
from __future__ import annotations

import argparse
import json
import sys

from moderation.cli._common import add_model_option, load_model_arg, print_problems
from moderation.cli._db import add_db_option, open_store_arg

JSON_KEYS = ("read", "stored", "duplicates", "rejected", "flagged", "spot_checked", "edited")


def register(sub) -> None:
    p = sub.add_parser(
        "ingest", help="store and score new comments; flagged ones go to the review queue",
        description="Input (.csv or .jsonl) needs 'id' and 'text'; optional: article_id, "
                    "article_title, article_url (http/https), article_snippet (the article's "
                    "opening line), parent_id (the comment a reply answers), author, "
                    "posted_at (ISO 8601). Comments already "
                    "in the store with the same id and text are counted as duplicates; the "
                    "same id with another text is an edit, stored as a new version, scored "
                    "and queued again. Bad rows are reported on stderr with their line and "
                    "reason.")
    p.add_argument("--input", required=True, metavar="FILE")
    add_db_option(p)
    add_model_option(p)
    p.add_argument("--spot-check-rate", type=_rate, default=None, metavar="R",
                   help="share of unflagged comments sent to spot check, 0..1 "
                        "(default: $MODERATION_SPOT_CHECK_RATE, else 0.05)")
    p.add_argument("--json", action="store_true",
                   help="end stdout with one JSON line: read, stored, duplicates, rejected, "
                        "flagged, spot_checked, edited")
    p.set_defaults(func=run)


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return rate


def run(args: argparse.Namespace) -> int:
    from moderation.queue.ingest import ingest_file

    model = load_model_arg(args)
    store = open_store_arg(args)
    try:
        summary = ingest_file(store, args.input, model, spot_check_rate=args.spot_check_rate)
    finally:
        store.dispose()
    print(f"{args.input}: read {summary.read:,} rows; stored {summary.stored:,}, edited "
          f"{summary.edited:,} (flagged for review {summary.flagged:,}, spot check "
          f"{summary.spot_checked:,}); already stored {summary.duplicates:,}; rejected "
          f"{summary.rejected:,} [model {summary.model_version}]")
    if summary.errors:
        print(f"{len(summary.errors)} rows rejected:", file=sys.stderr)
        print_problems(list(summary.errors))
    if args.json:
        print(json.dumps({key: getattr(summary, key) for key in JSON_KEYS}))
    return 0
