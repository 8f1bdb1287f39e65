"""``POST /v1/coral/phase``: Coral Talk's external moderation phase (signed by Coral)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from moderation.service.models import CoralPhaseIn, CoralPhaseOut
from moderation.service.security import coral_body
from moderation.service.state import Services, services
from moderation.site.coral import moderate

router = APIRouter()


@router.post("/v1/coral/phase", response_model=CoralPhaseOut, response_model_exclude_none=True,
             responses={204: {"description": "nothing to flag"}})
def coral_phase(raw: bytes = Depends(coral_body), svc: Services = Depends(services)):
    try:
        request = CoralPhaseIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    answer = moderate(svc.model, request.comment.body, policy=svc.policy)
    return Response(status_code=204) if answer is None else answer
