"""``moderation export``: decisions as training rows in the seed-corpus format."""
from __future__ import annotations

import argparse

from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser("export", help="write decided comments as training rows (CSV/JSONL)",
                       description="One row per decided comment with its final labels (the "
                                   "decision in force): id, article_title, text, labels, lang.")
    add_db_option(p)
    p.add_argument("--output", required=True, metavar="FILE", help=".csv or .jsonl")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from moderation.queue.export import export_decisions
    from moderation.settings import get_settings

    count = export_decisions(args.db or get_settings().db_url, args.output)
    print(f"wrote {count:,} decided comments to {args.output}")
    return 0
