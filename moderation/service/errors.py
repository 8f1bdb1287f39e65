"""Errors as JSON: ``{"error": {"code", "message", "field"}}`` with a 4xx/5xx status.

Typed package errors map to statuses by type, never by message. Under ``/v1alpha1/`` the
body has Perspective's (Google APIs') shape instead: ``{"error": {"code": 400, "message",
"status": "INVALID_ARGUMENT", "details": [{"errorType": ...}]}}`` (``field`` kept too).
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from moderation.errors import (
    AnalyzeError,
    ApiKeyError,
    AuthError,
    DataError,
    ModerationError,
    SignatureError,
    StoreError,
)

log = logging.getLogger("moderation.service")
PERSPECTIVE_PREFIX = "/v1alpha1/"
GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                 404: "NOT_FOUND", 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED",
                 500: "INTERNAL", 503: "UNAVAILABLE"}
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list[any]", "dict[str,any]"}
CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 413: "too_large", 429: "rate_limited", 500: "internal",
         503: "unavailable"}


class ApiError(Exception):
    """An HTTP error the service answers itself (auth, limits)."""

    def __init__(self, status: int, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers


def error_response(request: Request | None, status: int, message: str, *,
                   field: str | None = None, headers: dict[str, str] | None = None,
                   error_type: str | None = None) -> JSONResponse:
    path = request.url.path if request is not None else ""
    if path.startswith(PERSPECTIVE_PREFIX):
        body = {"code": status, "message": message, "status": GOOGLE_STATUS.get(status, "UNKNOWN"),
                "field": field}
        if status == 400:
            body["details"] = [{"@type": "type.googleapis.com/google.commentanalyzer."
                                         "v1alpha1.Error", "errorType": error_type
                                or "INVALID_REQUEST"}]
    else:
        body = {"code": CODES.get(status, "error"), "message": message, "field": field}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        return error_response(request, exc.status, exc.message, field=exc.field,
                              headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(part) for part in first.get("loc", ())  # union members' tags left out
               if part not in ("body", "query") and part not in _TYPE_TAGS]
        field = ".".join(loc) or "body"
        message = first.get("msg", "invalid request")
        if first.get("type") == "json_invalid":
            field, message = "body", "the body is not valid JSON"
        elif first.get("type") == "missing":
            message = "required"
        return error_response(request, 400, f"{field}: {message}", field=field)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        return error_response(request, exc.status_code, str(exc.detail),
                              field="path" if exc.status_code in (404, 405) else None,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(AnalyzeError)
    async def _analyze(request: Request, exc: AnalyzeError):
        return error_response(request, 400, exc.reason, field=exc.field,
                              error_type=exc.error_type)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        return error_response(request, 400, f"{exc.field}: {exc.reason}" if exc.field
                              else exc.reason, field=exc.field)

    @app.exception_handler(SignatureError)
    async def _signature(request: Request, exc: SignatureError):
        return error_response(request, 401, str(exc), field="X-Coral-Signature")

    @app.exception_handler(ApiKeyError)
    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError):
        return error_response(request, 401, str(exc), field="Authorization",
                              headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError):
        log.error("store error: %s", type(exc).__name__)
        return error_response(request, 503, "the comment store is not available; send the "
                                            "comment again later", field=None)

    @app.exception_handler(ModerationError)
    async def _other(request: Request, exc: ModerationError):
        log.error("error: %s", type(exc).__name__)
        return error_response(request, 500, "the service could not do this", field=None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        import sqlalchemy as sa

        if isinstance(exc, sa.exc.SQLAlchemyError):
            log.error("database error: %s", type(exc).__name__)
            return error_response(request, 503, "the comment store is not available; send "
                                                "the comment again later")
        log.exception("unexpected error: %s", type(exc).__name__)
        return error_response(request, 500, "internal error")
