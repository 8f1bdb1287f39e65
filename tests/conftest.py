"""Shared fixtures: a tiny real model, the default seed model (trained once per session), and
a fresh store per test on SQLite and PostgreSQL.

PostgreSQL: ``MODERATION_TEST_PG_URL`` (default the local server). Each test gets its own
schema, dropped afterwards. When the server is unreachable the PostgreSQL cases fail
under ``CI=true`` and are skipped otherwise.
"""
from __future__ import annotations

import pytest
from databases import PG_URL, drop_pg_schema, pg_schema_url  # noqa: F401 - re-exported
from helpers import KeywordModel

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own data directory: nothing touches the real one."""
    monkeypatch.setenv("MODERATION_DATA_DIR", str(tmp_path / "data"))
    for name in ("MODERATION_DB_URL", "MODERATION_DB_OWNER_URL", "MODERATION_MODEL_DIR",
                 "MODERATION_MODERATORS_FILE",
                 "MODERATION_SPOT_CHECK_RATE", "MODERATION_CLAIM_MINUTES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A real model trained once on ``corpus.TINY_CORPUS`` (bundle in a temp dir)."""
    from corpus import tiny_frame

    from moderation import train_model

    out = tmp_path_factory.mktemp("model") / "bundle"
    train_model(tiny_frame(), out, folds=3)
    return out


@pytest.fixture(scope="session")
def seed_model():
    """The default model, trained once per session on the bundled seed corpus (5-fold CV,
    as ``moderation train``); in memory, not saved. Takes 15 to 40 s."""
    from moderation.classifier.dataset import load_seed
    from moderation.classifier.training import train_model

    return train_model(load_seed(), folds=5)


@pytest.fixture
def keyword_model():
    return KeywordModel()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL of an empty database, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url, schema = pg_schema_url()
    yield url
    drop_pg_schema(schema)


@pytest.fixture
def store(db_url):
    from moderation.store import open_store

    store = open_store(db_url)
    yield store
    store.dispose()


@pytest.fixture
def tiny_seed(monkeypatch):
    """``load_seed`` returns a small corpus (``loop.small_seed``, 156 rows) in this process."""
    from loop import use_small_seed

    return use_small_seed(monkeypatch)


@pytest.fixture
def job_seed(tmp_path, monkeypatch):
    """Training job processes started by the test see the same small corpus."""
    from loop import small_seed_for_jobs

    return small_seed_for_jobs(tmp_path / "job_site", monkeypatch)
