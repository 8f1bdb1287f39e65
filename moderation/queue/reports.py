"""The audit trail as a table, and the queue's figures for the metrics page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from moderation.display import titles
from moderation.errors import DataError
from moderation.queue.context import verdicts_in_force
from moderation.store import Store
from moderation.store.schema import (
    ACTIONS,
    OPEN,
    QUEUE_VERDICTS,
    QUEUES,
    claims,
    comments,
    decisions,
    queue_items,
    utcnow,
)
from moderation.taxonomy import BY_NAME, LABELS, parse_labels

SITE_TZ = ZoneInfo("Europe/Kyiv")  # whose day "decided today" counts

HISTORY_COLUMNS = ("decision_id", "decided_at", "moderator", "action", "labels", "note", "queue",
                   "model_version", "reverts_id", "comment_id", "external_id", "version",
                   "author", "article_title", "text")


def history(store: Store, *, moderator: str | None = None, label: str | None = None,
            action: str | None = None, since: datetime | None = None,
            until: datetime | None = None, text: str | None = None,
            limit: int | None = 10_000) -> pd.DataFrame:
    """Decisions, newest first, filtered; one row each, columns ``HISTORY_COLUMNS``.

    ``label`` keeps decisions whose final labels include it; ``text`` those whose comment
    text contains it, ignoring case (Cyrillic too: the store's ``lower`` folds every
    letter on both databases). Each decision shows the version of the comment it was made
    on (its ``text`` then), so an edited comment's earlier verdicts stay next to the text
    they judged. Imported outcomes have action ``import``.
    """
    if text is not None and ("\x00" in text or len(text) > 1000):
        raise DataError("a search must be plain text under 1,000 characters without NUL",
                        field="text")
    text = (text or "").strip() or None
    if label is not None and label not in BY_NAME:
        raise DataError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}",
                        field="label")
    if action is not None and action not in ACTIONS:
        raise DataError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}",
                        field="action")
    query = (sa.select(decisions.c.id.label("decision_id"), decisions.c.decided_at,
                       decisions.c.moderator, decisions.c.action, decisions.c.labels,
                       decisions.c.note, decisions.c.queue, decisions.c.model_version,
                       decisions.c.reverts_id, decisions.c.comment_id,
                       comments.c.external_id, comments.c.version, comments.c.author,
                       comments.c.article_title, comments.c.text)
             .join(comments, comments.c.id == decisions.c.comment_id)
             .order_by(decisions.c.id.desc()))
    if moderator:
        query = query.where(decisions.c.moderator == moderator)
    if label:
        query = query.where((sa.literal(";") + decisions.c.labels + sa.literal(";"))
                            .contains(f";{label};", autoescape=True))
    if action:
        query = query.where(decisions.c.action == action)
    if since:
        query = query.where(decisions.c.decided_at >= since)
    if until:
        query = query.where(decisions.c.decided_at <= until)
    if text:
        query = query.where(sa.func.lower(comments.c.text).contains(text.lower(),
                                                                    autoescape=True))
    if limit:
        query = query.limit(limit)
    with store.read() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(HISTORY_COLUMNS))
    return frame.astype({"decision_id": "int64", "comment_id": "int64", "version": "int64"})


ACTION_TITLES = {"confirm": "порушення: приховано", "override": "дозволено: залишено",
                 "relabel": "мітки змінено", "skip": "пропущено",
                 "undo": "скасовано: повернуто в чергу", "import": "імпортовано з сайту"}
QUEUE_TITLES = {"review": "черга", "spot_check": "вибіркова перевірка"}
READABLE_COLUMNS = {"text": "Текст коментаря", "decided_at": "Час", "moderator": "Модератор",
                    "action": "Дія", "labels": "Мітки", "note": "Примітка",
                    "author": "Автор", "article_title": "Стаття", "queue": "Черга",
                    "external_id": "№ на сайті", "version": "Версія",
                    "decision_id": "Рішення №"}
ALLOWED = "без порушень"  # a verdict with no labels
NONE = "—"


def readable_history(frame: pd.DataFrame) -> pd.DataFrame:
    """``history`` as people read it: the comment text first, Ukrainian headers
    (``READABLE_COLUMNS``), actions and labels in words, «—» for what is missing."""
    def labels(value):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return NONE  # skip, undo: no labels
        return titles(parse_labels(value)) if value else ALLOWED

    def plain(value):
        return NONE if value is None or (isinstance(value, float) and pd.isna(value)) \
            or value == "" else value

    out = pd.DataFrame({
        "text": frame["text"].map(plain), "decided_at": frame["decided_at"],
        "moderator": frame["moderator"],
        "action": frame["action"].map(lambda a: ACTION_TITLES.get(a, a)),
        "labels": frame["labels"].map(labels), "note": frame["note"].map(plain),
        "author": frame["author"].map(plain), "article_title": frame["article_title"].map(plain),
        "queue": frame["queue"].map(lambda q: QUEUE_TITLES.get(q, q)),
        "external_id": frame["external_id"], "version": frame["version"],
        "decision_id": frame["decision_id"]}, columns=list(READABLE_COLUMNS))
    return out.rename(columns=READABLE_COLUMNS)


@dataclass(frozen=True)
class QueueStats:
    open: dict[str, int]  # queue -> comments waiting
    claimed: int  # comments held by a moderator right now
    decisions_per_day: pd.DataFrame  # columns day, moderator, decisions
    flag_precision: dict[str, float | None]  # label -> confirmed / flagged (decided ones)
    flagged_decided: dict[str, int]  # label -> flagged comments decided
    override_rate: float | None  # decided review comments found allowed
    spot_check_miss_rate: float | None  # decided spot-check comments found breaking a rule
    reviewed: int
    spot_checked: int


def stats(store: Store) -> QueueStats:
    """Queue sizes and the quality of the model's flags, from the decisions in force."""
    verdicts = verdicts_in_force()
    with store.read() as conn:
        open_counts = dict(conn.execute(
            sa.select(queue_items.c.queue, sa.func.count()).where(queue_items.c.status == OPEN)
            .group_by(queue_items.c.queue)).all())
        claimed = conn.execute(sa.select(sa.func.count()).select_from(claims)
                               .where(claims.c.expires_at > utcnow())).scalar_one()
        per_day = conn.execute(
            sa.select(decisions.c.decided_at, decisions.c.moderator)
            .where(decisions.c.action.in_(QUEUE_VERDICTS))).all()  # moderators' work
        decided = conn.execute(
            sa.select(verdicts.c.queue, verdicts.c.labels, queue_items.c.flagged_labels)
            .join(queue_items, queue_items.c.comment_id == verdicts.c.comment_id)).all()
    return QueueStats(
        open={queue: open_counts.get(queue, 0) for queue in QUEUES}, claimed=claimed,
        decisions_per_day=_per_day(per_day), **_quality(decided))


def _per_day(rows) -> pd.DataFrame:
    frame = pd.DataFrame([(r.decided_at.date(), r.moderator) for r in rows],
                         columns=["day", "moderator"])
    return (frame.groupby(["day", "moderator"]).size().rename("decisions").reset_index()
            if len(frame) else pd.DataFrame(columns=["day", "moderator", "decisions"]))


def _quality(rows) -> dict:
    flagged = {label: 0 for label in LABELS}
    confirmed = {label: 0 for label in LABELS}
    reviewed = overridden = spot = missed = 0
    for row in rows:
        final = set(parse_labels(row.labels))
        if row.queue == "review":
            reviewed += 1
            overridden += not final
            for label in parse_labels(row.flagged_labels):
                flagged[label] += 1
                confirmed[label] += label in final
        else:
            spot += 1
            missed += bool(final)
    return dict(
        flag_precision={label: confirmed[label] / flagged[label] if flagged[label] else None
                        for label in LABELS},
        flagged_decided=flagged,
        override_rate=overridden / reviewed if reviewed else None,
        spot_check_miss_rate=missed / spot if spot else None,
        reviewed=reviewed, spot_checked=spot)


WORK_GAP = timedelta(minutes=10)  # a longer pause between two decisions is a break, not work
MODERATOR_COLUMNS = ("moderator", "decisions", "days", "per_day", "override_rate",
                     "relabel_rate", "median_seconds", "timed")


def moderator_metrics(store: Store, *, since: datetime | None = None,
                      until: datetime | None = None) -> pd.DataFrame:
    """One row per moderator over their own queue verdicts (confirm, override, relabel):

    - ``decisions``, ``days`` with at least one, ``per_day`` (decisions / days);
    - ``override_rate``: share of their review-queue verdicts that allowed a flagged comment;
      ``relabel_rate``: share where they changed the model's labels;
    - ``median_seconds``: the median time between two consecutive verdicts of theirs, over
      ``timed`` such pairs (a pause longer than ``WORK_GAP`` is a break and not counted):
      the time one decision takes while working through the queue.

    Verdicts later undone still count: they are work done. Days are UTC days.
    """
    query = (sa.select(decisions.c.moderator, decisions.c.action, decisions.c.queue,
                       decisions.c.decided_at)
             .where(decisions.c.action.in_(QUEUE_VERDICTS))
             .order_by(decisions.c.moderator, decisions.c.decided_at, decisions.c.id))
    if since:
        query = query.where(decisions.c.decided_at >= since)
    if until:
        query = query.where(decisions.c.decided_at <= until)
    with store.read() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=["moderator", "action", "queue", "decided_at"])
    if frame.empty:
        return pd.DataFrame(columns=list(MODERATOR_COLUMNS))
    out = []
    for moderator, own in frame.groupby("moderator", sort=True):
        review = own[own["queue"] == "review"]
        gaps = own["decided_at"].diff().dropna()
        gaps = gaps[gaps <= WORK_GAP].dt.total_seconds()
        days = own["decided_at"].map(lambda t: t.date()).nunique()
        out.append({
            "moderator": moderator, "decisions": len(own), "days": days,
            "per_day": len(own) / days,
            "override_rate": float((review["action"] == "override").mean()) if len(review)
            else None,
            "relabel_rate": float((review["action"] == "relabel").mean()) if len(review)
            else None,
            "median_seconds": float(gaps.median()) if len(gaps) else None,
            "timed": len(gaps)})
    return pd.DataFrame(out, columns=list(MODERATOR_COLUMNS))


@dataclass(frozen=True)
class Backlog:
    """A queue's backlog for its page header."""

    queue: str
    open: int  # comments waiting for a decision
    oldest_entered_at: datetime | None  # when the longest-waiting one entered the queue
    decided_today: int  # verdicts in force given in this queue since the day began
    now: datetime  # the moment these figures are for

    @property
    def oldest_waiting(self) -> timedelta | None:
        """How long the longest-waiting comment has waited (``None``: nothing waits)."""
        if self.oldest_entered_at is None:
            return None
        return max(self.now - self.oldest_entered_at, timedelta(0))


def backlog(store: Store, queue: str, *, now: datetime | None = None,
            tz: tzinfo = SITE_TZ) -> Backlog:
    """The comments waiting in ``queue``, how long the oldest has waited, and how many were
    decided there today (a day of ``tz``; undone verdicts do not count)."""
    if queue not in QUEUES:
        raise DataError(f"unknown queue {queue!r}; expected one of {', '.join(QUEUES)}",
                        field="queue")
    now = now or utcnow()
    day_start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    verdicts = verdicts_in_force()
    with store.read() as conn:
        waiting, oldest = conn.execute(
            sa.select(sa.func.count(), sa.func.min(queue_items.c.entered_at))
            .where(queue_items.c.queue == queue, queue_items.c.status == OPEN)).one()
        decided = conn.execute(
            sa.select(sa.func.count()).select_from(verdicts)
            .where(verdicts.c.queue == queue, verdicts.c.action.in_(QUEUE_VERDICTS),
                   verdicts.c.decided_at >= day_start)).scalar_one()
    return Backlog(queue=queue, open=int(waiting), oldest_entered_at=oldest,
                   decided_today=int(decided), now=now)

