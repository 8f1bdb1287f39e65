"""What every request needs, built once per app: store, model, key verifier, rate limiter,
policy and settings. Endpoints get it through ``Depends(services)``, so tests swap parts."""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request

from moderation.queue.ingest import COUNTS, Scorer
from moderation.settings import Settings
from moderation.site.comments import Submitted, Submitter, submit_groups
from moderation.site.keys import KeyVerifier
from moderation.site.policy import ActionPolicy
from moderation.store import Store
from moderation.store.schema import utcnow


class RateLimiter:
    """A token bucket per caller (API key name): ``rate`` requests a second, ``burst`` at once.

    ``take(name)`` returns 0 when the request may go on, else the seconds to wait.
    """

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str) -> float:
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(name, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (1.0 - tokens) / self.rate


class RunTotals:
    """This process's counts of comments received, written to its ``ingest_runs`` row when
    the service stops."""

    def __init__(self):
        self.counts = dict.fromkeys(COUNTS, 0)
        self._lock = threading.Lock()

    def add(self, counts: dict[str, int]) -> None:
        with self._lock:
            for name, value in counts.items():
                if name in self.counts:
                    self.counts[name] += value


@dataclass
class Services:
    settings: Settings
    store: Store
    model: Scorer
    verifier: KeyVerifier
    limiter: RateLimiter
    policy: ActionPolicy
    now: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    run_id: int | None = None  # this process's ingest_runs row (set on start-up)
    totals: RunTotals = field(default_factory=RunTotals)
    submitter: Submitter = field(init=False)

    def __post_init__(self):
        self.submitter = Submitter(self._store_groups)

    def submit(self, items: list) -> Submitted:
        """Score, store and answer comments, together with those of concurrent requests
        (``moderation.site.comments.Submitter``)."""
        return self.submitter.submit(items)

    def _store_groups(self, groups):
        results, counts = submit_groups(
            self.store, self.model, groups, policy=self.policy, run_id=self.run_id,
            spot_check_rate=self.settings.spot_check_rate,
            max_text_chars=self.settings.max_text_chars, rng=self.rng)
        self.totals.add(counts)
        return results, counts


async def services(request: Request) -> Services:
    """The app's ``Services`` (async: no worker thread needed to hand it over)."""
    return request.app.state.services
