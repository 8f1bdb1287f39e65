"""The record of model promotions: which model version is current, who promoted it, when.

Append-only like decisions (nothing updates a row); the current model is the latest row.
Each prediction keeps the version that made it, so older scores stay explainable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moderation.store import Store
from moderation.store.schema import model_versions, utcnow


@dataclass(frozen=True)
class Promotion:
    id: int
    version: str
    path: str | None
    promoted_by: str
    promoted_at: datetime
    metrics: dict | None
    note: str | None


def record_promotion(store: Store, version: str, promoted_by: str, *, path: str | None = None,
                     metrics: dict | None = None, note: str | None = None) -> Promotion:
    """Record that ``promoted_by`` made ``version`` the current model (check the role first)."""
    with store.write() as conn:
        row = conn.execute(model_versions.insert().values(
            version=version, path=path, promoted_by=promoted_by, promoted_at=utcnow(),
            metrics=metrics, note=note).returning(*model_versions.c)).one()
    return Promotion(**row._mapping)


def promotions(store: Store, *, limit: int | None = None) -> list[Promotion]:
    """The promotions, newest first."""
    query = sa.select(model_versions).order_by(model_versions.c.id.desc()).limit(limit)
    with store.read() as conn:
        return [Promotion(**row._mapping) for row in conn.execute(query)]


def current_promotion(store: Store) -> Promotion | None:
    latest = promotions(store, limit=1)
    return latest[0] if latest else None
