"""Typed request and response bodies (pydantic). Unknown request fields are ignored; a
field of the wrong type is refused with its name (``errors.py``)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = str | int  # ids may come as numbers; they are stored as text


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CommentIn(_In):
    id: Text
    text: str
    author: str | None = None
    article_id: Text | None = None
    article_title: str | None = None
    article_url: str | None = Field(None, description="http:// or https:// only")
    article_snippet: str | None = Field(None, description="the article's opening line")
    parent_id: Text | None = Field(None, description="the id of the comment this one answers")
    created_at: str | None = Field(None, description="ISO 8601; UTC when no offset is given")


class BatchIn(_In):
    comments: list[Any] = Field(max_length=500, description="up to 500 comments (CommentIn)")


class Reason(BaseModel):
    label: str
    rule: str


class CommentOut(BaseModel):
    id: str
    version: int
    labels: list[str]
    scores: dict[str, float]
    action: Literal["publish", "hold", "reject"]
    reasons: list[Reason]
    model_version: str


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ItemError(BaseModel):
    index: int
    id: str | None = None
    error: ErrorBody


class BatchOut(BaseModel):
    results: list[CommentOut | ItemError]


class FeedEntry(BaseModel):
    cursor: str
    comment_id: str
    version: int
    action: Literal["hide", "keep"]
    decision: Literal["confirm", "override", "relabel", "import", "undo"]
    labels: list[str]
    reasons: list[Reason]
    moderator: str
    decided_at: str
    reverts: str | None


class FeedOut(BaseModel):
    decisions: list[FeedEntry]
    next: str | None
    more: bool


class AuthorActionEntry(BaseModel):
    id: int  # the cursor: pass the last one as ``after``
    author: str
    kind: Literal["watch", "premoderate", "ban", "lifted"]
    reason: str
    expires_at: str | None  # None: until lifted
    moderator: str
    created_at: str


class AuthorFeedOut(BaseModel):
    author_actions: list[AuthorActionEntry]
    next: int
    more: bool


class PerspectiveComment(_In):
    text: str
    type: str | None = None


class AttributeConfig(_In):
    scoreType: str | None = None
    scoreThreshold: float | None = None


class AnalyzeIn(_In):
    comment: PerspectiveComment
    requestedAttributes: dict[str, AttributeConfig | None] = Field(default_factory=dict)
    languages: list[str] | None = None
    doNotStore: bool = False
    spanAnnotations: bool = False
    clientToken: str | None = Field(None, max_length=200)


class CoralComment(_In):
    body: str
    parentID: str | None = None


class CoralRef(_In):
    id: str | None = None
    url: str | None = None
    role: str | None = None
    domain: str | None = None


class CoralPhaseIn(_In):
    action: Literal["NEW", "EDIT"]
    comment: CoralComment
    author: CoralRef | None = None
    story: CoralRef | None = None
    site: CoralRef | None = None
    tenantID: str | None = None
    tenantDomain: str | None = None


class FlagAction(BaseModel):
    actionType: Literal["FLAG"]
    reason: Literal["COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"]
    additionalDetails: str | None = None


class CoralPhaseOut(BaseModel):
    actions: list[FlagAction]
    status: Literal["SYSTEM_WITHHELD", "REJECTED"] | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    model_version: str
    database: bool
    queues: dict[str, int]
    webhooks_pending: int | None
