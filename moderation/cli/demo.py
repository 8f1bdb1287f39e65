"""``moderation demo``: train if needed, create the store, ingest the demo comments, start the UI."""
from __future__ import annotations

import argparse

from moderation.cli._common import Progress
from moderation.cli.ui import add_ui_options


def register(sub) -> None:
    p = sub.add_parser("demo", help="set up the demo (model, store, comments, account), start the UI",
                       description="Idempotent: trains the default model only when there is none, "
                                   "ingests the bundled demo comments once, creates the admin "
                                   "account 'demo' when missing, then runs `moderation ui`.")
    add_ui_options(p)
    p.add_argument("--no-ui", action="store_true", help="prepare everything, do not start the UI")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from moderation.cli import ui
    from moderation.demo import prepare_demo
    from moderation.settings import get_settings

    settings = get_settings()
    if args.db:
        settings = dataclasses.replace(settings, db_url=args.db)
    if args.model:
        settings = dataclasses.replace(settings, model_dir=args.model)
    info = prepare_demo(settings, progress=Progress())
    host = "localhost" if args.address in ("127.0.0.1", "0.0.0.0") else args.address
    print(f"\nDemo ready: model {info.model_version}, store {settings.db_url}")
    print(f"Open http://{host}:{args.port} and sign in as {info.moderator!r} with password "
          + (repr(info.password) if info.password else
             f"(set before; reset it with `moderation moderator add {info.moderator} --role admin "
             "--replace`)"), flush=True)
    if args.no_ui:
        return 0
    args.db, args.model = settings.db_url, str(settings.model_dir)
    return ui.run(args)
