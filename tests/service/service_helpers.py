"""Fixtures of the service tests (imported by name: a ``conftest.py`` here would shadow the
suite's own ``conftest`` module for the test modules collected after it): the service with
the framework's test client over a store on SQLite and PostgreSQL, the stand-in keyword
model, a key with every scope, and clocks the tests move."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from moderation.service import create_app
from moderation.settings import Settings
from moderation.site.keys import add_key
from moderation.store.schema import API_SCOPES, comments, decisions, predictions, queue_items

CORAL_SECRET = "coral-signing-secret"


class Clock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self):
        self.t = 10_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def make_client(store, keyword_model, tmp_path):
    """``make_client(env={...}, clock=..., model=...)``: a started ``TestClient``."""
    started = []

    def make(env: dict | None = None, *, clock=time.monotonic, model=None) -> TestClient:
        environ = {"MODERATION_DATA_DIR": str(tmp_path / "data"),
                   "MODERATION_CORAL_SECRET": CORAL_SECRET,
                   "MODERATION_SPOT_CHECK_RATE": "0",  # queues as the tests say, not by chance
                   **(env or {})}
        app = create_app(Settings.from_env(environ), store=store,
                         model=model or keyword_model, clock=clock, webhooks=False)
        client = TestClient(app)
        client.__enter__()
        started.append(client)
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def key(store) -> str:
    return add_key(store, "site", API_SCOPES)[1]


@pytest.fixture
def auth(key) -> dict:
    return {"Authorization": f"Bearer {key}"}


def counts(store) -> dict[str, int]:
    """Rows of the tables a comment fills."""
    with store.read() as conn:
        return {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in (comments, predictions, queue_items, decisions)}
