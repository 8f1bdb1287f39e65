"""The webhook outbox: every decision the site should hear of gets a row in the same
transaction as the decision itself, so a decision is never committed without it (nor the
other way round). ``moderation.site.webhooks`` delivers the rows; the decision feed
(``moderation.site.feed``) reads the decisions themselves and stays the source of truth.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from moderation.store.schema import webhook_outbox


def enqueue(conn: sa.Connection, decision_ids: Iterable[int], at: datetime) -> None:
    """Add an outbox row for each of ``decision_ids`` (decisions of ``FEED_ACTIONS``)."""
    rows = [dict(decision_id=decision_id, created_at=at) for decision_id in decision_ids]
    if rows:
        conn.execute(webhook_outbox.insert(), rows)
