"""``GET /healthz`` (no key): model version, whether the store answers, queue sizes."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from moderation.service.models import HealthOut
from moderation.service.state import Services, services
from moderation.site.health import health

router = APIRouter()


@router.get("/healthz", response_model=HealthOut)
def healthz(svc: Services = Depends(services)):
    state = health(svc.store, svc.model.version)
    body = {"status": "ok" if state.ok else "unavailable", "model_version": state.model_version,
            "database": state.database, "queues": state.queues,
            "webhooks_pending": state.webhooks_pending}
    return body if state.ok else JSONResponse(body, status_code=503)
