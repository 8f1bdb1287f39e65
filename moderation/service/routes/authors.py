"""``GET /v1/author-actions``: what moderators decided about authors, as an id-paged feed."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from moderation.queue.authors import AuthorAction, author_actions_after
from moderation.service.models import AuthorFeedOut
from moderation.service.security import api_key
from moderation.service.state import Services, services
from moderation.site.feed import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter()


@router.get("/v1/author-actions", response_model=AuthorFeedOut,
            dependencies=[Depends(api_key("decisions"))])
def get_author_actions(after: int = Query(0, ge=0), limit: int = Query(DEFAULT_LIMIT, ge=1,
                                                                       le=MAX_LIMIT),
                       svc: Services = Depends(services)) -> dict:
    actions, more = author_actions_after(svc.store, after, limit)
    return {"author_actions": [action_json(a) for a in actions],
            "next": actions[-1].id if actions else after, "more": more}


def action_json(action: AuthorAction) -> dict:
    return {"id": action.id, "author": action.author, "kind": action.kind,
            "reason": action.reason,
            "expires_at": action.expires_at.isoformat() if action.expires_at else None,
            "moderator": action.moderator, "created_at": action.created_at.isoformat()}
