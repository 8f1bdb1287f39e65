"""Who is calling: the API key (``Authorization: Bearer KEY``, or ``?key=`` for Perspective
clients), its scope, and the per-key rate limit; Coral's signature for the phase endpoint."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request

from moderation.errors import SignatureError
from moderation.service.errors import ApiError
from moderation.service.state import Services, services
from moderation.site.keys import ApiKey
from moderation.site.signatures import verify

CORAL_HEADER = "X-Coral-Signature"


def _presented(request: Request, *, query_key: bool) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None
    return request.query_params.get("key") if query_key else None


def api_key(scope: str, *, query_key: bool = False) -> Callable:
    """A dependency: the caller's ``ApiKey`` with ``scope``, within its rate limit."""

    def dependency(request: Request, svc: Services = Depends(services)) -> ApiKey:
        presented = _presented(request, query_key=query_key)
        if not presented:
            raise ApiError(401, "an API key is required: Authorization: Bearer KEY"
                           + (" (or ?key=KEY)" if query_key else ""), field="Authorization",
                           headers={"WWW-Authenticate": "Bearer"})
        key = svc.verifier.verify(presented)
        if key is None:
            raise ApiError(401, "the API key is wrong or revoked", field="Authorization",
                           headers={"WWW-Authenticate": "Bearer"})
        request.state.key_name = key.name
        if not key.allows(scope):
            raise ApiError(403, f"the API key {key.name!r} lacks the scope {scope!r}",
                           field="Authorization")
        _limit(svc, f"key:{key.name}")
        return key

    return dependency


async def coral_body(request: Request, svc: Services = Depends(services)) -> bytes:
    """The raw body of a Coral phase request whose ``X-Coral-Signature`` matches one of
    ``MODERATION_CORAL_SECRET``'s secrets; else 401."""
    if not svc.settings.coral_secrets:
        raise SignatureError("the Coral phase is off: set MODERATION_CORAL_SECRET to Coral's "
                             "signing secret")
    raw = await request.body()
    if not verify(request.headers.get(CORAL_HEADER), raw, svc.settings.coral_secrets):
        raise SignatureError(f"{CORAL_HEADER} is missing or does not match the signing secret")
    request.state.key_name = "coral"
    _limit(svc, "coral")
    return raw


def _limit(svc: Services, caller: str) -> None:
    wait = svc.limiter.take(caller)
    if wait:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(429, f"rate limit of {svc.limiter.rate:g} requests a second reached; "
                            f"retry after {seconds} s", field="Authorization",
                       headers={"Retry-After": str(seconds)})
