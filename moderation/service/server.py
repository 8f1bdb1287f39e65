"""Running the service with uvicorn (``moderation serve``): one process with the app built
here, or ``workers`` processes that each build it with ``app_from_env``."""
from __future__ import annotations

import uvicorn

from moderation.queue.ingest import Scorer
from moderation.service.app import configure_logging, create_app
from moderation.settings import Settings
from moderation.store import Store


def serve(settings: Settings, store: Store, model: Scorer, *, host: str, port: int,
          workers: int = 1) -> None:
    """Serve until SIGINT or SIGTERM, then stop gracefully (requests in flight finish, the
    webhook loop stops, the process's ingest run is closed with its counts)."""
    configure_logging()
    options = dict(host=host, port=port, access_log=False, log_level="info",
                   server_header=False, timeout_graceful_shutdown=10)
    if workers == 1:
        uvicorn.run(create_app(settings, store=store, model=model), **options)
        return
    store.dispose()  # each worker opens its own store and loads its own model
    uvicorn.run("moderation.service.app:app_from_env", factory=True, workers=workers, **options)
