"""Frozen records the queue functions return, and the filters they take."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moderation.errors import DataError
from moderation.store.schema import comments, decisions, predictions
from moderation.taxonomy import BY_NAME, LABELS, LANGS, parse_labels


@dataclass(frozen=True)
class Comment:
    id: int
    external_id: str
    text: str
    lang: str
    article_id: str | None
    article_title: str | None
    article_url: str | None
    author: str | None
    posted_at: datetime | None
    ingested_at: datetime
    version: int  # 1, then one more for each edit the author made under the same id
    article_snippet: str | None = None  # the article's opening line, as the site sent it
    parent_id: str | None = None  # the site's id of the comment this one answers

    @classmethod
    def from_row(cls, row) -> Comment:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


COMMENT_COLUMNS = tuple(comments.c[name] for name in Comment.__dataclass_fields__)


@dataclass(frozen=True)
class CurrentVersion:
    """The current (highest) version of an external id in the store."""

    id: int
    version: int
    text: str


def current_versions(conn: sa.Connection, external_ids: list[str], *,
                     chunk: int = 500) -> dict[str, CurrentVersion]:
    """The current version of each of ``external_ids`` that the store holds."""
    found: dict[str, CurrentVersion] = {}
    for start in range(0, len(external_ids), chunk):
        rows = conn.execute(  # every version (edits are few): one index range per id
            sa.select(comments.c.id, comments.c.external_id, comments.c.version,
                      comments.c.text)
            .where(comments.c.external_id.in_(external_ids[start:start + chunk])))
        for row in rows:
            known = found.get(row.external_id)
            if known is None or row.version > known.version:
                found[row.external_id] = CurrentVersion(row.id, row.version, row.text)
    return found


@dataclass(frozen=True)
class StoredScore:
    """What the store holds for the current version of a comment: its latest prediction."""

    comment_id: int
    version: int
    scores: dict[str, float]
    flagged: tuple[str, ...]
    model_version: str


def current_scores(conn: sa.Connection, external_ids: list[str], *,
                   chunk: int = 500) -> dict[str, StoredScore]:
    """The latest prediction of the current version of each of ``external_ids`` stored."""
    current = current_versions(conn, external_ids, chunk=chunk)
    by_id = {known.id: (external_id, known.version) for external_id, known in current.items()}
    found: dict[str, StoredScore] = {}
    ids = list(by_id)
    for start in range(0, len(ids), chunk):
        rows = conn.execute(
            sa.select(predictions.c.comment_id, predictions.c.scores,
                      predictions.c.flagged_labels, predictions.c.model_version)
            .where(predictions.c.comment_id.in_(ids[start:start + chunk]))
            .order_by(predictions.c.id))
        for row in rows:  # the latest one wins
            external_id, version = by_id[row.comment_id]
            found[external_id] = StoredScore(row.comment_id, version, dict(row.scores),
                                             tuple(parse_labels(row.flagged_labels)),
                                             row.model_version)
    return found


def is_current(table: sa.FromClause = comments) -> sa.ColumnElement[bool]:
    """SQL: the row of ``table`` (``comments`` or an alias) is its comment's current
    version (no higher version of the same external id is stored)."""
    newer = comments.alias("newer")
    return ~sa.exists().where(newer.c.external_id == table.c.external_id,
                              newer.c.version > table.c.version)


@dataclass(frozen=True)
class Item:
    """A claimed comment, with what the model said about it."""

    comment: Comment
    queue: str
    scores: dict[str, float]
    flagged_labels: tuple[str, ...]
    model_version: str
    priority: float
    uncertainty: float
    moderator: str
    claim_expires_at: datetime
    alerts: tuple[str, ...] = ()  # beyond labels: "bidi", "watched_author" (ingest.alerts_of)


@dataclass(frozen=True)
class Decision:
    id: int
    comment_id: int
    moderator: str
    action: str
    labels: tuple[str, ...] | None  # final labels; None for skip and undo
    note: str | None
    queue: str
    model_version: str | None
    reverts_id: int | None
    decided_at: datetime

    @classmethod
    def from_row(cls, row) -> Decision:
        values = {name: getattr(row, name) for name in cls.__dataclass_fields__}
        if values["labels"] is not None:
            values["labels"] = tuple(parse_labels(values["labels"]))
        return cls(**values)

    @property
    def hides(self) -> bool:
        """True when the comment breaks a rule (it should be hidden)."""
        return bool(self.labels)


DECISION_COLUMNS = tuple(decisions.c[name] for name in Decision.__dataclass_fields__)


@dataclass(frozen=True)
class Filters:
    """Which comments a moderator wants next; every field optional.

    ``article`` matches the article id exactly or a part of the title (case-insensitive);
    ``since``/``until`` bound the comment's posted time (its ingest time when unknown).
    """

    label: str | None = None
    article: str | None = None
    lang: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self):
        for name in ("article", "author"):
            value = getattr(self, name)
            if value is not None and ("\x00" in value or len(value) > 1000):
                raise DataError("a filter must be plain text under 1,000 characters without NUL",
                                field=name)
        if self.label is not None and self.label not in BY_NAME:
            raise DataError(f"unknown label {self.label!r}; expected one of {', '.join(LABELS)}",
                            field="label")
        if self.lang is not None and self.lang not in LANGS:
            raise DataError(f"unknown language {self.lang!r}; expected one of "
                            f"{', '.join(LANGS)}", field="lang")

    def clauses(self, flagged_labels: sa.ColumnElement) -> list[sa.ColumnElement]:
        """SQL conditions on ``comments`` (and the given flagged-labels column)."""
        out = []
        if self.label:
            out.append((sa.literal(";") + flagged_labels + sa.literal(";"))
                       .contains(f";{self.label};", autoescape=True))
        if self.article:
            out.append(sa.or_(comments.c.article_id == self.article,
                              comments.c.article_title.icontains(self.article,
                                                                 autoescape=True)))
        if self.lang:
            out.append(comments.c.lang == self.lang)
        if self.author:
            out.append(comments.c.author == self.author)
        when = sa.func.coalesce(comments.c.posted_at, comments.c.ingested_at)
        if self.since:
            out.append(when >= self.since)
        if self.until:
            out.append(when <= self.until)
        return out
