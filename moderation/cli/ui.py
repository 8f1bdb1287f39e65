"""``moderation ui``: the moderators' web app (``streamlit run ui/server.py``: Streamlit plus
the session-cookie routes).

The app lives in ``ui/`` at the top of the repository, beside the package, so this command
works from a source checkout or an editable install (``pip install -e .``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from moderation.cli._common import add_model_option
from moderation.cli._db import add_db_option
from moderation.errors import ModerationError

APP = Path(__file__).resolve().parents[2] / "ui" / "server.py"


def register(sub) -> None:
    p = sub.add_parser("ui", help="start the moderators' web app (Streamlit)",
                       description="Runs `streamlit run ui/server.py` from the source checkout "
                                   "(works from a checkout or `pip install -e .`).")
    add_ui_options(p)
    p.set_defaults(func=run)


def add_ui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; use 0.0.0.0 behind a "
                        "TLS reverse proxy to serve several moderators)")
    add_db_option(p)
    add_model_option(p)


def app_path() -> Path:
    if not APP.is_file():
        raise ModerationError(f"{APP} not found: `moderation ui` runs from a source checkout "
                              "(git clone, then `pip install -e .`)")
    return APP


def command(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """The streamlit command line and environment for ``args``."""
    env = dict(os.environ)
    if args.db:
        env["MODERATION_DB_URL"] = args.db
    if args.model:
        env["MODERATION_MODEL_DIR"] = str(Path(args.model).expanduser().resolve())
    argv = [sys.executable, "-m", "streamlit", "run", str(app_path()),
            "--server.port", str(args.port), "--server.address", args.address,
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer",
            "--theme.base", "light"]
    return argv, env


def run(args: argparse.Namespace) -> int:
    argv, env = command(args)
    host = "localhost" if args.address in ("127.0.0.1", "0.0.0.0") else args.address
    print(f"moderation UI: http://{host}:{args.port}", flush=True)
    sys.stderr.flush()
    os.execve(argv[0], argv, env)  # streamlit replaces this process: signals reach it directly
    return 0  # pragma: no cover
