"""``moderation score``: add p_<label> and labels to every row of a CSV or JSONL file."""
from __future__ import annotations

import argparse
import sys

from moderation.cli._common import add_model_option, load_model_arg, print_problems


def register(sub) -> None:
    p = sub.add_parser("score", help="score a CSV/JSONL file of comments",
                       description="Input needs a 'text' column; every row and column is kept, "
                                   "p_<label> for every label, 'labels' (flagged, ';'-joined) and "
                                   "'score_error' are added. Format by extension.")
    add_model_option(p)
    p.add_argument("--input", required=True, metavar="FILE")
    p.add_argument("--output", required=True, metavar="FILE")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from moderation.classifier.scoring import score_file

    model = load_model_arg(args)
    report = score_file(model, args.input, args.output)
    print(f"read {report.read:,} rows, scored {report.scored:,}, flagged {report.flagged:,}; "
          f"wrote {args.output}")
    if report.not_scored:
        print(f"{len(report.not_scored)} rows written without scores (see score_error):",
              file=sys.stderr)
        print_problems(report.not_scored)
    if report.warnings:
        print_problems(report.warnings)
    if report.unreadable:
        print(f"{len(report.unreadable)} rows could not be read and are NOT in the output:",
              file=sys.stderr)
        print_problems(report.unreadable)
        return 1
    return 0
