"""Helpers shared by the subcommands: the model option and progress output."""
from __future__ import annotations

import argparse
import sys
import time

from moderation.settings import get_settings


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="DIR", default=None,
                        help="model bundle directory (default: $MODERATION_MODEL_DIR, else "
                             "<data dir>/model; see `moderation train --help`)")


def load_model_arg(args: argparse.Namespace):
    from moderation.classifier.bundle import load_bundle

    return load_bundle(args.model or get_settings().model_dir)


class Progress:
    """Timestamped progress lines on stderr (stdout stays for results)."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


def print_problems(problems, *, limit: int = 50) -> None:
    for p in problems[:limit]:
        print(f"  {p}", file=sys.stderr)
    if len(problems) > limit:
        print(f"  ... and {len(problems) - limit} more", file=sys.stderr)
