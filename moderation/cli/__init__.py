"""The ``moderation`` console script: one parser dispatching to small subcommand modules.

Each module in ``COMMANDS`` defines ``register(subparsers)`` which adds its parser and sets
``func`` (taking the parsed ``argparse.Namespace`` and returning an exit code).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from moderation.errors import ModerationError

# subcommand module names under moderation.cli; one line each
COMMANDS = (
    "train",
    "evaluate",
    "score",
    "explain",
    "ingest",
    "db",
    "moderator",
    "decisions",
    "export",
    "model",
    "ui",
    "serve",
    "apikey",
    "author",
    "demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moderation",
        description="Comment moderation toolkit: train, evaluate, score, explain, review queue, "
                    "site integration service.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"moderation.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ModerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, read-only or missing directory: say so, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except Exception as exc:
        import sqlalchemy.exc

        if not isinstance(exc, sqlalchemy.exc.SQLAlchemyError):
            raise
        reason = getattr(exc, "orig", None) or exc
        print(f"error: the database refused the operation: {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
