"""A demo that works on a fresh machine: model, store, demo comments, a demo admin.

Every step is idempotent: the default model is trained only when none is at
``settings.model_dir``, the store is migrated, the bundled demo comments are ingested
(comments already stored are skipped) and the ``demo`` account is created only when missing.
Its password is random, kept beside the data (``demo_password.txt``, mode 600) so that it
can be printed again on the next run; so is the demo's API key for ``moderation serve``
(``demo_api_key.txt``, made by ``demo_api_key`` when the demo starts the service too).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moderation.settings import Settings, get_settings

DEMO_MODERATOR = "demo"
DEMO_COMMENTS = Path(__file__).resolve().parent / "data" / "demo_comments.csv"
PASSWORD_FILE = "demo_password.txt"
API_KEY_FILE = "demo_api_key.txt"
DEMO_KEY_NAME = "demo-site"


@dataclass(frozen=True)
class DemoInfo:
    model_version: str
    model_trained: bool
    db_url: str
    stored: int  # demo comments added by this run (0 on a rerun)
    flagged: int
    moderator: str
    password: str | None  # None when the account existed and its password is not known


def prepare_demo(settings: Settings | None = None, *, progress: Callable[[str], None] = print,
                 folds: int = 5) -> DemoInfo:
    from moderation import load_model
    from moderation.auth import account_of, add_moderator, import_file
    from moderation.classifier.dataset import load_seed
    from moderation.classifier.training import train_model
    from moderation.queue.ingest import ingest_file
    from moderation.store import open_store

    settings = settings or get_settings()
    trained = False
    if not (Path(settings.model_dir) / "manifest.json").is_file():
        progress(f"no model at {settings.model_dir}: training the default model on the seed "
                 "corpus (about a minute)")
        train_model(load_seed(), settings.model_dir, folds=folds, progress=progress)
        trained = True
    model = load_model(settings.model_dir)
    progress(f"model {model.version}")
    store = open_store(settings.db_url)
    try:
        summary = ingest_file(store, DEMO_COMMENTS, model)
        progress(f"demo comments: {summary.stored} stored ({summary.flagged} flagged for "
                 f"review, {summary.spot_checked} for spot check), {summary.duplicates} "
                 "already there")
        password_file = Path(settings.data_dir) / PASSWORD_FILE
        password = None
        import_file(store, settings.moderators_file)  # an older version's accounts
        if account_of(store, DEMO_MODERATOR) is None:
            password = secrets.token_urlsafe(9)
            add_moderator(store, DEMO_MODERATOR, password, role="admin")
            _write_private(password_file, password)
        elif password_file.is_file():
            password = password_file.read_text(encoding="utf-8").strip() or None
    finally:
        store.dispose()
    return DemoInfo(model_version=model.version, model_trained=trained, db_url=settings.db_url,
                    stored=summary.stored, flagged=summary.flagged, moderator=DEMO_MODERATOR,
                    password=password)


def demo_api_key(settings: Settings | None = None) -> str:
    """An API key for trying ``moderation serve`` with the demo: the one kept in
    ``<data dir>/demo_api_key.txt`` (mode 600) while the store accepts it, else a new one
    with every scope."""
    from moderation.site.keys import KeyVerifier, add_key, list_keys
    from moderation.store import open_store
    from moderation.store.schema import API_SCOPES

    settings = settings or get_settings()
    key_file = Path(settings.data_dir) / API_KEY_FILE
    store = open_store(settings.db_url)
    try:
        if key_file.is_file():
            kept = key_file.read_text(encoding="utf-8").strip()
            if KeyVerifier(store).verify(kept) is not None:
                return kept
        taken = {key.name for key in list_keys(store)}
        name = DEMO_KEY_NAME if DEMO_KEY_NAME not in taken else \
            f"{DEMO_KEY_NAME}-{secrets.token_hex(3)}"
        _key, secret = add_key(store, name, API_SCOPES)
    finally:
        store.dispose()
    _write_private(key_file, secret)
    return secret


def _write_private(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")

