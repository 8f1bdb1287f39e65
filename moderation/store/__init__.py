"""The comment store: SQLite by default, PostgreSQL when the URL names one.

``open_store(url)`` gives a ``Store`` with its schema migrated; the queue, ingestion and
export functions all take that ``Store`` first.
"""
from __future__ import annotations

from moderation.settings import get_settings
from moderation.store.engine import Store, make_engine
from moderation.store.migrate import current_revision, ensure_schema, head_revision

__all__ = [
    "Store",
    "current_revision",
    "ensure_schema",
    "head_revision",
    "make_engine",
    "open_store",
]


def open_store(url: str | None = None, *, claim_minutes: float | None = None,
               migrate: bool = True) -> Store:
    """Open the store at ``url`` (default: settings' ``MODERATION_DB_URL``), migrated to head."""
    settings = get_settings()
    engine = make_engine(url or settings.db_url)
    store = Store(engine, claim_minutes=settings.claim_minutes if claim_minutes is None
                  else claim_minutes)
    if migrate:
        ensure_schema(store)
    return store
