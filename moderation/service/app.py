"""The app factory: ``create_app(settings, store=..., model=...)`` builds one app; uvicorn
calls ``app_from_env()`` (``moderation serve``) in each worker process, which loads the
model once and opens the store from the settings."""
from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Callable
from datetime import datetime

import anyio
from fastapi import FastAPI

from moderation import __version__
from moderation.errors import StoreIntegrityError
from moderation.queue.ingest import Scorer, finish_run, start_run
from moderation.service import errors
from moderation.service.delivery import deliver_forever
from moderation.service.middleware import BodyLimit, RequestLog
from moderation.service.routes import authors, comments, coral, decisions, health, perspective
from moderation.service.state import RateLimiter, Services
from moderation.settings import Settings, get_settings
from moderation.site.comments import MAX_BATCH
from moderation.site.keys import KeyVerifier
from moderation.site.policy import ActionPolicy
from moderation.store import Store, open_store
from moderation.store.schema import utcnow
from moderation.store.verify import require_sound

log = logging.getLogger("moderation.service")
BATCH_PATH = "/v1/comments:batch"


def create_app(settings: Settings | None = None, *, store: Store | None = None,
               model: Scorer | None = None, clock: Callable[[], float] = time.monotonic,
               now: Callable[[], datetime] = utcnow, rng: random.Random | None = None,
               webhooks: bool = True) -> FastAPI:
    """The service over ``store`` and ``model`` (default: opened and loaded from
    ``settings``). ``clock`` (monotonic seconds: key cache, rate limit) and ``now`` (UTC
    datetimes: webhook retries) are for tests; ``webhooks=False`` runs no delivery loop."""
    settings = settings or get_settings()
    if model is None:
        from moderation import load_model

        model = load_model(settings.model_dir)
    store = store or open_store(settings.db_url)
    svc = Services(settings=settings, store=store, model=model,
                   verifier=KeyVerifier(store, ttl=settings.key_cache_seconds, clock=clock),
                   limiter=RateLimiter(settings.rate_limit, settings.rate_burst, clock),
                   policy=ActionPolicy.from_settings(settings), now=now,
                   rng=rng or random.Random())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        try:  # refuse to start on a store that fails `moderation db verify`
            await anyio.to_thread.run_sync(lambda: require_sound(store))
        except StoreIntegrityError as exc:
            log.error("refusing to start: %s", exc)
            raise
        svc.run_id = await anyio.to_thread.run_sync(
            lambda: start_run(store, f"service {socket.gethostname()} pid {os.getpid()}",
                              model.version))
        async with anyio.create_task_group() as tasks:
            if webhooks and settings.webhook_url:
                tasks.start_soon(deliver_forever, svc)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        svc.submitter.close()
        await anyio.to_thread.run_sync(lambda: finish_run(store, svc.run_id, svc.totals.counts))

    app = FastAPI(title="moderation", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = svc
    errors.install(app)
    for router in (comments.router, decisions.router, authors.router, perspective.router,
                   coral.router, health.router):
        app.include_router(router)
    single = settings.max_body_bytes
    app.add_middleware(BodyLimit,
                       limit_for=lambda path: single * MAX_BATCH if path == BATCH_PATH else single)
    app.add_middleware(RequestLog)
    return app


def app_from_env() -> FastAPI:
    """uvicorn's factory (``moderation serve``): everything from the environment."""
    configure_logging()
    return create_app(get_settings())


def configure_logging(level: int = logging.INFO) -> None:
    """Request lines and service messages to stderr, one line each."""
    logger = logging.getLogger("moderation.service")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False

