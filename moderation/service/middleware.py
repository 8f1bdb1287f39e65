"""Two plain ASGI middlewares (no per-request task or thread of their own):

- ``BodyLimit``: a request body larger than allowed gets 413 before any endpoint runs
  (``Content-Length`` checked at once, a chunked body counted as it arrives);
- ``RequestLog``: one JSON line per request on the ``moderation.service`` logger: time,
  method, path (never the query string, which may hold a key), status, duration, API key
  name, client address and body size. Never a comment's text.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from moderation.service.errors import error_response

log = logging.getLogger("moderation.service.requests")


class BodyLimit:
    def __init__(self, app, limit_for: Callable[[str], int]):
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._too_large(scope, receive, send, limit)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await self._too_large(scope, receive, send, limit)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, sent = b"".join(chunks), False

        async def replay():
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        scope.setdefault("state", {})["body_bytes"] = size
        await self.app(scope, replay, send)

    async def _too_large(self, scope, receive, send, limit: int):
        from starlette.requests import Request

        scope.setdefault("state", {})["body_bytes"] = None
        response = error_response(Request(scope), 413, f"the request body is over the limit of "
                                                       f"{limit:,} bytes", field="body",
                                  headers={"Connection": "close"})
        await response(scope, receive, send)


class RequestLog:
    def __init__(self, app, logger: logging.Logger = log):
        self.app, self.log = app, logger

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 500

        async def send_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            state = scope.get("state", {})
            client = scope.get("client")
            self.log.info(json.dumps({
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 2),
                "key": state.get("key_name"), "client": client[0] if client else None,
                "bytes": state.get("body_bytes")}, ensure_ascii=False))
