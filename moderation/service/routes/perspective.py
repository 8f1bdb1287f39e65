"""``POST /v1alpha1/comments:analyze``: Perspective API's request and response shapes."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from moderation.service.models import AnalyzeIn
from moderation.service.security import api_key
from moderation.service.state import Services, services
from moderation.site.perspective import Requested, analyze

router = APIRouter()


@router.post("/v1alpha1/comments:analyze",
             dependencies=[Depends(api_key("score", query_key=True))])
def comments_analyze(request: AnalyzeIn, svc: Services = Depends(services)) -> dict:
    requested = [Requested(name, c.scoreType if c else None, c.scoreThreshold if c else None)
                 for name, c in request.requestedAttributes.items()]
    return analyze(svc.model, text=request.comment.text, text_type=request.comment.type,
                   requested=requested, languages=request.languages,
                   do_not_store=request.doNotStore, span_annotations=request.spanAnnotations,
                   client_token=request.clientToken,
                   max_text_chars=svc.settings.max_text_chars,
                   save=lambda item: svc.submit([item]).results[0])
