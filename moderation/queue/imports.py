"""Past moderation outcomes (a site's history of deleted and kept comments) as decisions.

    summary = import_decisions(store, "history.csv", "olena")
    summary.counts()  # {"read": ..., "imported": ..., "unchanged": ..., "unknown": ..., ...}

The file (``.csv`` or ``.jsonl``) has ``id``, the external id of a comment already ingested,
and ``labels``, the rules it broke (``;``-joined label names; empty: the comment was kept).
Each good row becomes a decision with action ``import`` on the comment's current version,
recorded under ``moderator`` (who ran the import) with a note naming the file and line, so
the audit trail tells imported outcomes from moderators' verdicts. An import is a verdict in
force like confirm, override and relabel (training, export, statistics): it settles an open
queue item of that version (status ``done``, its claim released).

- Idempotent: a comment whose decision in force already has these labels is ``unchanged``
  (no new row), so importing the same file again adds nothing.
- An earlier import with other labels is replaced: an ``undo`` row reverts it, then the new
  ``import`` row follows (a later export of the site's history wins).
- A moderator's verdict given in the queue is never overwritten: such a row is rejected with
  the verdict it would contradict.
- Unknown ids and bad rows (unknown label, empty id, an id twice in the file, broken CSV or
  JSON) are reported per row with file, line and field; the good rows are imported in one
  transaction, so a failure leaves nothing half-written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from moderation.queue import outbox
from moderation.queue.claims import check_moderator
from moderation.queue.context import verdicts_in_force
from moderation.queue.records import CurrentVersion, current_versions
from moderation.store import Store, chain
from moderation.store.schema import (
    DONE,
    OPEN,
    QUEUE_VERDICTS,
    claims,
    predictions,
    queue_items,
    utcnow,
)
from moderation.tables import Problem, read_table
from moderation.taxonomy import join_labels, parse_labels

REQUIRED = ("id", "labels")
NO_QUEUE = "import"  # decisions.queue of an import on a comment that was in no queue
CHUNK = 500
_PG_LOCK_KEY = 0x696D706F  # "impo": one import at a time (comments without a queue item)


@dataclass(frozen=True)
class Outcome:
    """One good row of an import file."""

    line: int
    external_id: str
    labels: tuple[str, ...]  # canonical order; () = the comment was kept


@dataclass(frozen=True)
class ImportSummary:
    source: str
    moderator: str
    read: int = 0  # rows in the file = imported + unchanged + unknown + rejected
    imported: int = 0  # new import decisions
    unchanged: int = 0  # the decision in force already had these labels
    unknown: int = 0  # no comment with that id in the store
    rejected: int = 0  # bad rows, and rows that contradict a moderator's verdict
    errors: tuple[Problem, ...] = field(default=(), repr=False)  # unknown and rejected rows

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in
                ("read", "imported", "unknown", "rejected", "unchanged")}


def read_outcomes(path: str | Path) -> tuple[list[Outcome], list[Problem]]:
    """The good rows of ``path`` and a ``Problem`` for each bad one, in line order.

    Raises ``DataError`` when the file as a whole is unusable (missing, unknown type, no
    ``id`` or ``labels`` column).
    """
    _columns, records, problems = read_table(path, required=REQUIRED)
    source = str(path)
    outcomes: list[Outcome] = []
    first_line: dict[str, int] = {}
    for record in records:
        row = _check(source, record.line, record.values)
        if isinstance(row, Outcome):
            first = first_line.setdefault(row.external_id, row.line)
            if first != row.line:
                row = Problem(source, row.line, f"duplicate id in this file (first on line "
                                                f"{first})", field="id", row_id=row.external_id)
        (outcomes if isinstance(row, Outcome) else problems).append(row)
    problems.sort(key=lambda p: p.line)
    return outcomes, problems


def _check(source: str, line: int, values: dict) -> Outcome | Problem:
    external_id, labels = values.get("id"), values.get("labels")
    if isinstance(external_id, bool) or not isinstance(external_id, (str, int)):
        return Problem(source, line, "must be text", field="id")
    external_id = str(external_id).strip()
    if not external_id:
        return Problem(source, line, "empty id", field="id")
    if len(external_id) > 200:
        return Problem(source, line, "longer than 200 characters", field="id",
                       row_id=external_id[:200])
    if labels is None:
        return Problem(source, line, "missing: give the labels the comment broke, or an "
                                     "empty value for a comment that was kept",
                       field="labels", row_id=external_id)
    if not isinstance(labels, str):
        return Problem(source, line, "must be text: label names joined with ';'",
                       field="labels", row_id=external_id)
    try:
        parsed = parse_labels(labels)
    except ValueError as exc:
        return Problem(source, line, str(exc), field="labels", row_id=external_id)
    return Outcome(line, external_id, tuple(parsed))


def import_decisions(store: Store, path: str | Path, moderator: str, *,
                     now: datetime | None = None) -> ImportSummary:
    """Import the outcomes in ``path`` as decisions by ``moderator``; see the module doc.

    Raises ``DataError`` for an unusable file, ``ValueError`` for an empty moderator name.
    """
    check_moderator(moderator)
    outcomes, problems = read_outcomes(path)
    source, at = str(path), now or utcnow()
    counts = dict(imported=0, unchanged=0, unknown=0, rejected=len(problems))
    errors = list(problems)
    with store.write() as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        current = current_versions(conn, [o.external_id for o in outcomes])
        known = [o for o in outcomes if o.external_id in current]
        for o in outcomes:
            if o.external_id not in current:
                counts["unknown"] += 1
                errors.append(Problem(source, o.line, "no comment with this id in the store "
                                                      "(ingest it first)", field="id",
                                      row_id=o.external_id))
        state = _state(store, conn, [current[o.external_id].id for o in known])
        undos, imports, settled = [], [], []
        for o in known:
            comment = current[o.external_id]
            verdict = state.verdicts.get(comment.id)
            if verdict is not None and tuple(parse_labels(verdict.labels)) == o.labels:
                counts["unchanged"] += 1
                continue
            if verdict is not None and verdict.action in QUEUE_VERDICTS:
                counts["rejected"] += 1
                errors.append(_contradicts(source, o, comment, verdict))
                continue
            item = state.items.get(comment.id)
            queue = item.queue if item is not None else NO_QUEUE
            model_version = state.model_versions.get(comment.id)
            note = f"imported from {Path(source).name}, line {o.line}"
            if verdict is not None:  # an earlier import with other labels: revert it first
                undos.append(dict(comment_id=comment.id, moderator=moderator, action="undo",
                                  labels=None, note=f"replaced: {note}", queue=verdict.queue,
                                  model_version=model_version, reverts_id=verdict.id,
                                  decided_at=at))
            imports.append(dict(comment_id=comment.id, moderator=moderator, action="import",
                                labels=join_labels(o.labels), note=note, queue=queue,
                                model_version=model_version, reverts_id=None, decided_at=at))
            if item is not None and item.status == OPEN:
                settled.append(comment.id)
        for rows in (undos, imports):  # the undo rows first: they refer to older decisions
            if rows:  # each one with its outbox row (the site hears of it), same transaction
                ids = [row.id for row in chain.append(conn, rows)]
                outbox.enqueue(conn, ids, at)
        for start in range(0, len(settled), CHUNK):
            part = settled[start:start + CHUNK]
            conn.execute(queue_items.update().where(queue_items.c.comment_id.in_(part))
                         .values(status=DONE))
            conn.execute(claims.delete().where(claims.c.comment_id.in_(part)))
        counts["imported"] = len(imports)
    errors.sort(key=lambda p: p.line)
    return ImportSummary(source=source, moderator=moderator, read=len(outcomes) + len(problems),
                         errors=tuple(errors), **counts)


@dataclass(frozen=True)
class _State:
    verdicts: dict[int, sa.Row]  # comment id -> its decision in force
    items: dict[int, sa.Row]  # comment id -> its queue item (locked on PostgreSQL)
    model_versions: dict[int, str]  # comment id -> model of its latest prediction


def _state(store: Store, conn: sa.Connection, comment_ids: list[int]) -> _State:
    verdicts, items, models = {}, {}, {}
    in_force = verdicts_in_force()
    for start in range(0, len(comment_ids), CHUNK):
        part = comment_ids[start:start + CHUNK]
        query = (sa.select(queue_items.c.comment_id, queue_items.c.queue, queue_items.c.status)
                 .where(queue_items.c.comment_id.in_(part)))
        if store.dialect == "postgresql":  # a moderator deciding it waits, then sees it done
            query = query.with_for_update()
        items.update((row.comment_id, row) for row in conn.execute(query))
        verdicts.update((row.comment_id, row) for row in conn.execute(
            sa.select(in_force).where(in_force.c.comment_id.in_(part))))
        models.update(conn.execute(
            sa.select(predictions.c.comment_id, predictions.c.model_version)
            .where(predictions.c.comment_id.in_(part)).order_by(predictions.c.id)).all())
    return _State(verdicts, items, models)


def _contradicts(source: str, o: Outcome, comment: CurrentVersion, verdict) -> Problem:
    labels = verdict.labels or "none (allowed)"
    return Problem(source, o.line, f"comment {o.external_id} (version {comment.version}) is "
                                   f"decided already: {verdict.action} by {verdict.moderator} "
                                   f"with labels {labels}; an import never overwrites a "
                                   "moderator's verdict (undo it in the queue first)",
                   field="labels", row_id=o.external_id)
