"""``GET /v1/decisions``: the moderators' decisions in force, as a cursor-paged feed."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from moderation.service.models import FeedOut
from moderation.service.security import api_key
from moderation.service.state import Services, services
from moderation.site.feed import DEFAULT_LIMIT, decision_feed
from moderation.site.webhooks import entry_json

router = APIRouter()


@router.get("/v1/decisions", response_model=FeedOut,
            dependencies=[Depends(api_key("decisions"))])
def get_decisions(after: str | None = Query(None, max_length=64),
                  limit: int = Query(DEFAULT_LIMIT), svc: Services = Depends(services)) -> dict:
    page = decision_feed(svc.store, after, limit)
    return {"decisions": [entry_json(e) for e in page.entries], "next": page.next,
            "more": page.more}
