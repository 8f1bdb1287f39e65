"""What a moderator sees beside a comment: the comment it answers, the author's history and
near-duplicates.

All look at the current version of each comment only: an edited comment counts once, as
it reads now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moderation.queue.records import COMMENT_COLUMNS, Comment, is_current
from moderation.queue.sketches import overlap, shingles
from moderation.store import Store
from moderation.store.schema import (
    FEED_ACTIONS,
    VERDICTS,
    comment_sketches,
    comments,
    decisions,
    queue_items,
)
from moderation.taxonomy import parse_labels

PARENT_TEXT_CHARS = 2000  # the longest stretch of a parent comment shown above a reply
NEAR_THRESHOLD = 0.6  # sketches.overlap of the word pairs: most of the longer text shared
MAX_CANDIDATES = 500  # checked exactly, most shared band keys first


@dataclass(frozen=True)
class AuthorEntry:
    comment: Comment
    flagged_labels: tuple[str, ...]  # what the model flagged (empty when auto-approved)
    verdict: str | None  # the decision in force: confirm, override, relabel, or None
    final_labels: tuple[str, ...] | None  # its labels (None while undecided)


@dataclass(frozen=True)
class AuthorHistory:
    author: str
    total: int  # all the author's comments in the store (current versions)
    hidden: int  # of them, decided as breaking a rule
    entries: tuple[AuthorEntry, ...]  # the latest ``limit``, newest first


@dataclass(frozen=True)
class NearDuplicate:
    comment: Comment
    similarity: float


@dataclass(frozen=True)
class NearDuplicates:
    count: int  # how many comments by other authors or under other articles match
    items: tuple[NearDuplicate, ...]  # the most similar ``limit`` of them
    complete: bool = True  # False: more candidates than MAX_CANDIDATES, count is a floor


@dataclass(frozen=True)
class ParentComment:
    """The comment a reply answers, as it reads now (its current version)."""

    id: int
    external_id: str
    version: int
    author: str | None
    text: str  # at most ``max_chars`` characters of it
    truncated: bool  # the text goes on beyond ``text``
    posted_at: datetime | None  # when the author posted it (its ingest time when unknown)
    decided: bool  # a verdict is in force on it
    hidden: bool  # that verdict found it breaking a rule


def parent_comment(store: Store, comment_id: int, *,
                   max_chars: int = PARENT_TEXT_CHARS) -> ParentComment | None:
    """The comment that comment ``comment_id`` answers (its ``parent_id``), current version,
    with at most ``max_chars`` characters of its text; ``None`` when the comment answers
    none or the store does not hold the one it answers."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    child = comments.alias("child")
    verdicts = verdicts_in_force()
    query = (sa.select(comments.c.id, comments.c.external_id, comments.c.version,
                       comments.c.author,
                       sa.func.substr(comments.c.text, 1, max_chars + 1).label("text"),
                       sa.func.coalesce(comments.c.posted_at,
                                        comments.c.ingested_at).label("posted_at"),
                       verdicts.c.labels)
             .join(child, child.c.parent_id == comments.c.external_id)
             .outerjoin(verdicts, verdicts.c.comment_id == comments.c.id)
             .where(child.c.id == comment_id, is_current())
             .order_by(verdicts.c.id.desc())  # at most one in force; the latest if not
             .limit(1))
    with store.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return ParentComment(
        id=row.id, external_id=row.external_id, version=row.version, author=row.author,
        text=row.text[:max_chars], truncated=len(row.text) > max_chars,
        posted_at=row.posted_at, decided=row.labels is not None,
        hidden=bool(row.labels))


def verdicts_in_force() -> sa.Subquery:
    """Each comment version's decision in force: its latest entry among the verdicts (given
    in the queue, imported, or a correction made from «Історія») and undos, when that entry
    is a verdict; at most one each. An undo or a reopening leaves none in force until the
    next verdict; a correction replaces the verdict before it."""
    return (sa.select(decisions.c.id, decisions.c.comment_id, decisions.c.action,
                      decisions.c.labels, decisions.c.moderator, decisions.c.queue,
                      decisions.c.decided_at)
            .where(decisions.c.action.in_(VERDICTS), is_latest_entry(decisions))
            .subquery("verdicts"))


def is_latest_entry(table: sa.FromClause = decisions) -> sa.ColumnElement[bool]:
    """SQL: no verdict or undo on the same comment version came after this row of
    ``table`` (``decisions`` or an alias); skips do not count."""
    later = decisions.alias("later")
    return ~sa.exists().where(later.c.comment_id == table.c.comment_id,
                              later.c.action.in_(FEED_ACTIONS), later.c.id > table.c.id)


def author_history(store: Store, author: str, *, limit: int = 20,
                   exclude_comment: int | None = None) -> AuthorHistory:
    """The author's comments in the store (current versions), newest first, with flags and
    verdicts."""
    verdicts = verdicts_in_force()
    mine = sa.and_(comments.c.author == author, is_current())
    if exclude_comment is not None:
        mine = sa.and_(mine, comments.c.id != exclude_comment)
    with store.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).where(mine)).scalar_one()
        hidden = conn.execute(
            sa.select(sa.func.count()).select_from(comments)
            .join(verdicts, verdicts.c.comment_id == comments.c.id)
            .where(mine, verdicts.c.labels != "")).scalar_one()
        rows = conn.execute(
            sa.select(*COMMENT_COLUMNS, queue_items.c.flagged_labels, verdicts.c.action,
                      verdicts.c.labels)
            .outerjoin(queue_items, queue_items.c.comment_id == comments.c.id)
            .outerjoin(verdicts, verdicts.c.comment_id == comments.c.id)
            .where(mine)
            .order_by(sa.func.coalesce(comments.c.posted_at, comments.c.ingested_at).desc(),
                      comments.c.id.desc())
            .limit(limit)).all()
    entries = tuple(AuthorEntry(
        comment=Comment.from_row(row), flagged_labels=tuple(parse_labels(row.flagged_labels)),
        verdict=row.action,
        final_labels=None if row.action is None else tuple(parse_labels(row.labels)))
        for row in rows)
    return AuthorHistory(author=author, total=total, hidden=hidden, entries=entries)


def near_duplicates(store: Store, comment_id: int, *, threshold: float = NEAR_THRESHOLD,
                    limit: int = 20) -> NearDuplicates:
    """Comments with the same or nearly the same text, by other authors or other articles.

    Candidates share a MinHash band key with the comment (an index lookup per key, so the
    time does not grow with the store), then are kept when ``sketches.overlap`` of their
    word pairs reaches ``threshold``: a copy with its own first line, or with its lines in
    another order, still counts. Only current versions of other comments count (not this
    comment's own older versions).
    """
    with store.read() as conn:
        me = conn.execute(sa.select(*COMMENT_COLUMNS).where(comments.c.id == comment_id)).first()
        if me is None:
            return NearDuplicates(0, ())
        keys = sa.select(comment_sketches.c.key).where(comment_sketches.c.comment_id == comment_id)
        shared = sa.func.count().label("shared")
        candidates = conn.scalars(
            sa.select(comment_sketches.c.comment_id)
            .where(comment_sketches.c.key.in_(keys), comment_sketches.c.comment_id != comment_id)
            .group_by(comment_sketches.c.comment_id)
            .order_by(shared.desc(), comment_sketches.c.comment_id)
            .limit(MAX_CANDIDATES + 1)).all()
        rows = conn.execute(sa.select(*COMMENT_COLUMNS)
                            .where(comments.c.id.in_(candidates[:MAX_CANDIDATES]),
                                   comments.c.external_id != me.external_id,
                                   is_current())).all()
    mine = shingles(me.text)
    found = []
    for row in rows:
        if row.author is not None and row.author == me.author and row.article_id == me.article_id:
            continue
        similarity = overlap(mine, shingles(row.text))
        if similarity >= threshold:
            found.append(NearDuplicate(Comment.from_row(row), round(similarity, 4)))
    found.sort(key=lambda d: (-d.similarity, d.comment.id))
    return NearDuplicates(count=len(found), items=tuple(found[:limit]),
                          complete=len(candidates) <= MAX_CANDIDATES)
