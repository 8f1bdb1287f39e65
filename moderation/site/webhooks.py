"""Delivering the decision outbox to the site's webhook, in feed order, signed, retried.

Every decision of ``FEED_ACTIONS`` has an outbox row written in its own transaction
(``moderation.queue.outbox``), so none is lost when the site or the service is down; rows
stay until a delivery is answered 2xx. ``deliver_pending`` (run in a loop by each service
process) sends them oldest first, in the feed's order (and below its commit horizon, see
``moderation.site.feed``), one at a time: a delivery that fails is retried after
``retry_seconds``, doubling up to ``MAX_RETRY_SECONDS``, and later ones wait behind it, so
the site never sees an older decision after a newer one. A process claims the head row with
a lease before sending it, so two processes do not send it at once; a process that dies
mid-delivery leaves the lease to expire and the row to be sent again (at least once: the
site deduplicates by the entry's ``cursor``).

The body is JSON ``{"type": "decision", "sent_at": <unix seconds>, "attempt": n,
"decision": <feed entry>}`` and ``X-Moderation-Signature: sha256=<hex HMAC-SHA256 of the
body>`` with ``MODERATION_WEBHOOK_SECRET``; ``sent_at`` is inside the signed body, so a
receiver refuses old replays (docs/integration.md).
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from moderation.site.feed import PG_HORIZON, Entry, entries_of
from moderation.site.signatures import sign
from moderation.store import Store
from moderation.store.schema import decisions, utcnow, webhook_outbox

MAX_RETRY_SECONDS = 600.0
LEASE_MARGIN_SECONDS = 30.0
SIGNATURE_HEADER = "X-Moderation-Signature"
USER_AGENT = "moderation-webhook/1"


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    decision_id: int
    attempt: int


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None  # the site's HTTP status, when it answered
    error: str | None = None  # why it failed (never the body)


@dataclass(frozen=True)
class DeliveryRun:
    delivered: int
    failed: int
    wait_seconds: float | None  # until the next attempt is due; None: nothing pending


Sender = Callable[[str, bytes, dict[str, str], float], Outcome]


def entry_json(entry: Entry) -> dict:
    """A feed entry as the feed and the webhooks send it."""
    return {"cursor": entry.cursor, "comment_id": entry.comment_id, "version": entry.version,
            "action": entry.action, "decision": entry.decision, "labels": list(entry.labels),
            "reasons": [{"label": r.label, "rule": r.rule} for r in entry.reasons],
            "moderator": entry.moderator, "decided_at": entry.decided_at.isoformat(),
            "reverts": entry.reverts}


def payload(entry: Entry, *, sent_at: int, attempt: int) -> bytes:
    return json.dumps({"type": "decision", "sent_at": sent_at, "attempt": attempt,
                       "decision": entry_json(entry)}, ensure_ascii=False).encode()


def pending(store: Store) -> int:
    """Outbox rows not delivered yet."""
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(webhook_outbox)
                            .where(webhook_outbox.c.delivered_at.is_(None))).scalar_one()


def deliver_pending(store: Store, *, url: str, secret: str, timeout: float = 10.0,
                    retry_seconds: float = 1.0, send: Sender | None = None,
                    now: Callable[[], datetime] = utcnow,
                    max_deliveries: int = 100) -> DeliveryRun:
    """Send due outbox rows in order until one fails, none is due, or ``max_deliveries``."""
    send = send or post
    delivered = failed = 0
    for _ in range(max_deliveries):
        claimed = claim_next(store, now=now(), lease_seconds=timeout + LEASE_MARGIN_SECONDS)
        if not isinstance(claimed, Delivery):
            wait = None if claimed is None else max((claimed - now()).total_seconds(), 0.0)
            return DeliveryRun(delivered, failed, wait)
        entry = entries_of(store, [claimed.decision_id])[claimed.decision_id]
        body = payload(entry, sent_at=int(time.time()), attempt=claimed.attempt)
        outcome = send(url, body, {"Content-Type": "application/json; charset=utf-8",
                                   SIGNATURE_HEADER: sign(secret, body),
                                   "User-Agent": USER_AGENT}, timeout)
        delay = record(store, claimed, outcome, now=now(), retry_seconds=retry_seconds)
        if not outcome.delivered:
            return DeliveryRun(delivered, failed + 1, delay)
        delivered += 1
    return DeliveryRun(delivered, failed, 0.0)


def _head(store: Store) -> sa.Select:
    query = (sa.select(webhook_outbox.c.id, webhook_outbox.c.decision_id,
                       webhook_outbox.c.attempts, webhook_outbox.c.next_attempt_at,
                       webhook_outbox.c.leased_until)
             .join(decisions, decisions.c.id == webhook_outbox.c.decision_id)
             .where(webhook_outbox.c.delivered_at.is_(None))
             .order_by(decisions.c.txid, decisions.c.id).limit(1))
    if store.dialect == "postgresql":
        query = query.where(decisions.c.txid < PG_HORIZON)
    return query


def claim_next(store: Store, *, now: datetime, lease_seconds: float
               ) -> Delivery | datetime | None:
    """Lease the oldest undelivered row: a ``Delivery``; or when it is not due yet, the time
    it will be; ``None`` when nothing is waiting."""
    with store.read() as conn:  # the usual answer (nothing due) without the write lock
        head = conn.execute(_head(store)).first()
    if head is None:
        return None
    if _not_before(head) > now:
        return _not_before(head)
    with store.write() as conn:
        query = _head(store)
        if store.dialect == "postgresql":
            query = query.with_for_update(of=webhook_outbox)
        head = conn.execute(query).first()
        if head is None:
            return None
        if _not_before(head) > now:
            return _not_before(head)
        conn.execute(webhook_outbox.update().where(webhook_outbox.c.id == head.id).values(
            attempts=head.attempts + 1, leased_until=now + timedelta(seconds=lease_seconds)))
    return Delivery(head.id, head.decision_id, head.attempts + 1)


def _not_before(head) -> datetime:
    times = [t for t in (head.next_attempt_at, head.leased_until) if t is not None]
    return max(times) if times else datetime.min.replace(tzinfo=utcnow().tzinfo)


def record(store: Store, delivery: Delivery, outcome: Outcome, *, now: datetime,
           retry_seconds: float) -> float:
    """Store the outcome of a delivery; returns the seconds until it is retried (0 when it
    was delivered)."""
    delay = 0.0 if outcome.delivered else min(retry_seconds * 2 ** (delivery.attempt - 1),
                                              MAX_RETRY_SECONDS)
    values = (dict(delivered_at=now, leased_until=None, last_error=None) if outcome.delivered
              else dict(next_attempt_at=now + timedelta(seconds=delay), leased_until=None,
                        last_error=(outcome.error or f"HTTP {outcome.status}")[:200]))
    with store.write() as conn:
        conn.execute(webhook_outbox.update().where(webhook_outbox.c.id == delivery.outbox_id)
                     .values(**values))
    return delay


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is a failed delivery
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body``; delivered when the site answers 2xx (redirects are not followed)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return Outcome(False, exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Outcome(False, None, f"{type(exc).__name__}: {reason}"[:200])
    return Outcome(200 <= status < 300, status, None if 200 <= status < 300 else f"HTTP {status}")
