"""The webhook loop each service process runs while webhooks are configured: delivers the
decision outbox (``moderation.site.webhooks.deliver_pending``) in a worker thread, then
waits until the next retry is due or ``POLL_SECONDS`` pass (decisions made in the UI are
picked up within that time)."""
from __future__ import annotations

import logging

import anyio

from moderation.service.state import Services
from moderation.site.webhooks import deliver_pending

POLL_SECONDS = 1.0
log = logging.getLogger("moderation.service.webhooks")


async def deliver_forever(svc: Services, *, poll: float = POLL_SECONDS) -> None:
    settings = svc.settings
    while True:
        try:
            run = await anyio.to_thread.run_sync(lambda: deliver_pending(
                svc.store, url=settings.webhook_url, secret=settings.webhook_secret,
                timeout=settings.webhook_timeout, retry_seconds=settings.webhook_retry_seconds,
                now=svc.now))
        except Exception as exc:  # noqa: BLE001 - the store may be down: try again later
            log.warning("webhook delivery stopped: %s; retrying", type(exc).__name__)
            await anyio.sleep(poll)
            continue
        if run.delivered or run.failed:
            log.info("webhooks: %d delivered, %d failed%s", run.delivered, run.failed,
                     f", next attempt in {run.wait_seconds:.1f} s" if run.failed else "")
        wait = poll if run.wait_seconds is None else min(run.wait_seconds, poll)
        await anyio.sleep(max(wait, 0.01))
