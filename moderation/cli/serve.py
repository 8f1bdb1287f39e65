"""``moderation serve``: the HTTP service the site's comment system calls (uvicorn)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from moderation.cli._common import add_model_option
from moderation.cli._db import add_db_option


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="start the site integration service (HTTP API for the comment system)",
        description="Scores, stores and queues comments the site POSTs, serves the feed of "
                    "moderators' decisions, Perspective-compatible and Coral-phase endpoints "
                    "(docs/integration.md). Every endpoint but /healthz needs an API key "
                    "(`moderation apikey add`).")
    add_serve_options(p)
    p.set_defaults(func=run)


def add_serve_options(p: argparse.ArgumentParser, *, port: int = 8000,
                      port_flag: str = "--port") -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; put a TLS reverse proxy in "
                        "front for the site)")
    p.add_argument(port_flag, dest="service_port", type=int, default=port, metavar="PORT",
                   help=f"port (default {port})")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="worker processes, each with the model loaded (default 1)")
    if port_flag == "--port":
        add_db_option(p)
        add_model_option(p)


def run(args: argparse.Namespace) -> int:
    from moderation import load_model
    from moderation.service.server import serve
    from moderation.settings import get_settings
    from moderation.store import open_store

    if args.db:
        os.environ["MODERATION_DB_URL"] = args.db
    if args.model:
        os.environ["MODERATION_MODEL_DIR"] = str(Path(args.model).expanduser().resolve())
    if args.workers < 1:
        raise SystemExit("error: --workers must be at least 1")
    settings = get_settings()  # a bad setting stops here, with its name
    model = load_model(settings.model_dir)  # and a missing or refused model
    store = open_store(settings.db_url)  # and an unreachable store; migrated
    print(f"moderation service: http://{args.host}:{args.service_port} (model {model.version},"
          f" store {store.engine.url.render_as_string(hide_password=True)})", flush=True)
    serve(settings, store, model, host=args.host, port=args.service_port, workers=args.workers)
    return 0
