"""UI fixtures: a store with the review-queue comments, two accounts, and an AppTest.

The comments are scored by ``helpers.KeywordModel`` (so the test knows what is flagged);
the app itself loads the session's tiny real model (for the highlighted trigger words).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import KeywordModel, write_csv
from ui_data import queue_rows
from ui_helpers import PASSWORDS

from moderation.auth import add_moderator, list_moderators, remove_moderator
from moderation.queue import history
from moderation.queue.ingest import ingest_file
from moderation.store import open_store


@dataclass
class AppEnv:
    db_url: str
    model_dir: Path
    moderators_file: Path
    data_dir: Path

    def store(self):
        return open_store(self.db_url)

    def moderators(self) -> list:
        store = self.store()
        try:
            return list_moderators(store)
        finally:
            store.dispose()

    def add_moderator(self, name: str, password: str, role: str = "moderator") -> None:
        store = self.store()
        try:
            add_moderator(store, name, password, role=role)
        finally:
            store.dispose()

    def remove_moderator(self, name: str) -> None:
        store = self.store()
        try:
            remove_moderator(store, name)
        finally:
            store.dispose()

    def history(self, **filters):
        store = self.store()
        try:
            return history(store, **filters)
        finally:
            store.dispose()


@pytest.fixture
def app_env(tmp_path, monkeypatch, tiny_model) -> AppEnv:
    data_dir = tmp_path / "data"
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model, model_dir)
    db_url = f"sqlite:///{tmp_path / 'ui.db'}"
    moderators = data_dir / "moderators.json"
    for name, value in {"MODERATION_DATA_DIR": data_dir, "MODERATION_MODEL_DIR": model_dir,
                        "MODERATION_DB_URL": db_url,
                        "MODERATION_MODERATORS_FILE": moderators}.items():
        monkeypatch.setenv(name, str(value))
    store = open_store(db_url)
    try:
        ingest_file(store, write_csv(tmp_path / "comments.csv", queue_rows()), KeywordModel(),
                    spot_check_rate=1.0)
    finally:
        store.dispose()
    env = AppEnv(db_url, model_dir, moderators, data_dir)
    env.add_moderator("olena", PASSWORDS["olena"], role="admin")
    env.add_moderator("petro", PASSWORDS["petro"], role="moderator")
    return env
