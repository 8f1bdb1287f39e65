"""What ``/healthz`` reports: the model, whether the store answers, the queues' sizes."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moderation.store import Store
from moderation.store.schema import OPEN, QUEUES, queue_items, webhook_outbox


@dataclass(frozen=True)
class Health:
    model_version: str
    database: bool
    queues: dict[str, int]  # open items per queue (empty when the store does not answer)
    webhooks_pending: int | None

    @property
    def ok(self) -> bool:
        return self.database


def health(store: Store, model_version: str) -> Health:
    try:
        with store.read() as conn:
            counts = dict(conn.execute(
                sa.select(queue_items.c.queue, sa.func.count())
                .where(queue_items.c.status == OPEN).group_by(queue_items.c.queue)).all())
            pending = conn.execute(sa.select(sa.func.count()).select_from(webhook_outbox)
                                   .where(webhook_outbox.c.delivered_at.is_(None))).scalar_one()
    except sa.exc.SQLAlchemyError:
        return Health(model_version, False, {}, None)
    return Health(model_version, True, {queue: counts.get(queue, 0) for queue in QUEUES},
                  pending)
