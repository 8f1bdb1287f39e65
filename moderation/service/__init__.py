"""``moderation serve``: the HTTP API a news site's comment system calls (FastAPI on uvicorn).

Thin like the UI: each endpoint parses its request into typed models, calls one function of
``moderation.site`` and shapes the answer. ``create_app`` builds the app from settings, with
the store, model and clocks injectable for tests; ``app_from_env`` is uvicorn's factory.
"""
from moderation.service.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
