"""``moderation demo``: train if needed, create the store, ingest the demo comments, start the
UI, and with ``--serve`` the site integration service next to it."""
from __future__ import annotations

import argparse

from moderation.cli._common import Progress
from moderation.cli.serve import add_serve_options
from moderation.cli.ui import add_ui_options


def register(sub) -> None:
    p = sub.add_parser("demo", help="set up the demo (model, store, comments, account), start the UI",
                       description="Idempotent: trains the default model only when there is none, "
                                   "ingests the bundled demo comments once, creates the admin "
                                   "account 'demo' when missing, then runs `moderation ui` (with "
                                   "--serve, also `moderation serve` and an API key for it).")
    add_ui_options(p)
    p.add_argument("--no-ui", action="store_true", help="prepare everything, do not start the UI")
    p.add_argument("--serve", action="store_true",
                   help="also start the site integration service (`moderation serve`) beside "
                        "the UI, with a demo API key")
    add_serve_options(p, port=8000, port_flag="--api-port")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from moderation.cli import ui
    from moderation.demo import demo_api_key, prepare_demo
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
    args.db, args.model = settings.db_url, str(settings.model_dir)
    if not args.serve:
        return 0 if args.no_ui else ui.run(args)
    key = demo_api_key(settings)
    base = f"http://{args.host}:{args.service_port}"
    print(f"Site integration service: {base} (docs/integration.md); demo API key:\n  {key}\n"
          f"  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
          f"-d '{{\"id\": \"demo-1\", \"text\": \"Дякую за новину\"}}' {base}/v1/comments",
          flush=True)
    return run_beside(args)


def run_beside(args: argparse.Namespace) -> int:
    """``moderation serve`` and the UI (unless --no-ui) in child processes; when either
    stops, or this process gets SIGINT or SIGTERM, both are stopped."""
    import os
    import signal
    import subprocess
    import sys

    from moderation.cli import ui

    serve = [sys.executable, "-m", "moderation", "serve", "--host", args.host, "--port",
             str(args.service_port), "--workers", str(args.workers), "--db", args.db,
             "--model", args.model]
    children = [subprocess.Popen(serve, env=dict(os.environ))]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        if not args.no_ui:
            argv, env = ui.command(args)
            children.append(subprocess.Popen(argv, env=env))
        while all(child.poll() is None for child in children):
            try:
                children[-1].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        return next(child.returncode for child in children if child.poll() is not None)
    except KeyboardInterrupt:
        return 130
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
