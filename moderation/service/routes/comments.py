"""``POST /v1/comments`` and ``POST /v1/comments:batch``: score, store, queue, answer."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from moderation.errors import DataError
from moderation.service.models import BatchIn, BatchOut, CommentIn, CommentOut
from moderation.service.security import api_key
from moderation.service.state import Services, services
from moderation.site.comments import Answer
from moderation.tables import Problem

router = APIRouter()


@router.post("/v1/comments", response_model=CommentOut,
             dependencies=[Depends(api_key("score"))])
def post_comment(comment: CommentIn, svc: Services = Depends(services)) -> dict:
    result = svc.submit([comment.model_dump()]).results[0]
    if isinstance(result, Problem):
        raise DataError(result.reason, field=result.field)
    return answer_json(result)


@router.post("/v1/comments:batch", response_model=BatchOut,
             dependencies=[Depends(api_key("score"))])
def post_batch(batch: BatchIn, svc: Services = Depends(services)) -> dict:
    results = svc.submit(batch.comments).results
    return {"results": [answer_json(r) if isinstance(r, Answer) else problem_json(i, r)
                        for i, r in enumerate(results)]}


def answer_json(answer: Answer) -> dict:
    return {"id": answer.id, "version": answer.version, "labels": list(answer.labels),
            "scores": answer.scores, "action": answer.action,
            "reasons": [{"label": r.label, "rule": r.rule} for r in answer.reasons],
            "model_version": answer.model_version}


def problem_json(index: int, problem: Problem) -> dict:
    return {"index": index, "id": problem.row_id,
            "error": {"code": "invalid", "message": problem.reason, "field": problem.field}}
