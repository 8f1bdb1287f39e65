"""Comments the site sends as they are posted or edited: scored, stored and queued through
ingest's own path (``moderation.queue.ingest.store_batch``: versions for edits, the bidi
alert, the spot check), then answered with the site's action policy, or with the author
action in force (pre-moderate holds, ban rejects; ``moderation.queue.authors``).

    results = submit(store, model, [{"id": "c1", "text": "..."}], policy=..., run_id=...)

- The same id and text again: nothing is stored, the answer is the stored one (the latest
  prediction of that version, with the model version that made it).
- The same id with another text: an edit, stored as a new version, scored and queued again.
- A bad item becomes a ``Problem`` in its place (field and reason); the others are stored.

Request fields are those of a comment file (``moderation.queue.incoming``) with the site's
name ``created_at`` for ``posted_at``.
"""
from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from moderation.queue.authors import SITE_ACTIONS, AuthorAction, authors_in_force
from moderation.queue.incoming import IncomingComment, check_record
from moderation.queue.ingest import Scorer, store_batch
from moderation.queue.records import StoredScore, current_scores
from moderation.site.policy import ActionPolicy, Reason, reasons_for
from moderation.store import Store
from moderation.tables import Problem

FIELDS = ("id", "text", "author", "article_id", "article_title", "article_url",
          "article_snippet", "parent_id", "created_at")
_TO_STORE = {"created_at": "posted_at"}
_TO_SITE = {v: k for k, v in _TO_STORE.items()}
MAX_BATCH = 500


@dataclass(frozen=True)
class Answer:
    """What the site is told about one comment."""

    id: str
    version: int
    labels: tuple[str, ...]
    scores: dict[str, float]
    action: str  # publish | hold | reject
    reasons: tuple[Reason, ...]
    model_version: str


@dataclass(frozen=True)
class Submitted:
    results: tuple[Answer | Problem, ...]  # one per item, in order
    counts: dict[str, int]  # read, rejected, stored, edited, duplicates, flagged, spot_checked


def submit(store: Store, model: Scorer, items: Sequence[dict], *, policy: ActionPolicy,
           run_id: int | None, spot_check_rate: float, max_text_chars: int,
           rng: random.Random | None = None, source: str = "request") -> Submitted:
    """Check, score, store and answer ``items`` (dicts with ``FIELDS``) in one transaction.

    A ``Problem`` has ``line`` = the item's index and ``field`` as the site names it.
    """
    results, counts = submit_groups(store, model, [items], policy=policy, run_id=run_id,
                                    spot_check_rate=spot_check_rate,
                                    max_text_chars=max_text_chars, rng=rng, source=source)
    return Submitted(results[0], counts)


def submit_groups(store: Store, model: Scorer, groups: Sequence[Sequence[dict]], *,
                  policy: ActionPolicy, run_id: int | None, spot_check_rate: float,
                  max_text_chars: int, rng: random.Random | None = None,
                  source: str = "request") -> tuple[list[tuple[Answer | Problem, ...]],
                                                    dict[str, int]]:
    """``submit`` for several requests at once (one scoring call, one transaction): the
    answers of each group, and the counts of all. Each group is checked on its own (indices
    and duplicate ids within it); an id sent by two groups is stored in that order, as if
    the requests had come one after the other (a second transaction)."""
    if any(len(items) > MAX_BATCH for items in groups):
        raise ValueError(f"at most {MAX_BATCH} comments at once")
    checked = [_check_group(items, source, max_text_chars) for items in groups]
    rounds: list[list[IncomingComment]] = []
    seen: dict[str, int] = {}
    for rows in checked:
        for row in rows:
            if isinstance(row, IncomingComment):
                n = seen.get(row.external_id, 0)
                seen[row.external_id] = n + 1
                if n == len(rounds):
                    rounds.append([])
                rounds[n].append(row)
    counts = dict.fromkeys(("read", "rejected", "stored", "edited", "duplicates", "flagged",
                            "spot_checked"), 0)
    counts["read"] = sum(len(items) for items in groups)
    counts["rejected"] = counts["read"] - sum(seen.values())
    answers: dict[int, StoredScore] = {}  # id(row) -> what its request stored or found
    rng = rng or random.Random()
    for rows in rounds:
        batch = store_batch(store, rows, model, run_id=run_id, spot_check_rate=spot_check_rate,
                            rng=rng)
        for name, value in batch.counts.items():
            counts[name] += value
        counts["duplicates"] += len(rows) - batch.counts["stored"] - batch.counts["edited"]
        known = [row.external_id for row in rows if row.external_id not in batch.stored]
        stored = dict(batch.stored)
        if known:  # the same text again: the stored answer
            with store.read() as conn:
                stored.update(current_scores(conn, known))
        answers.update((id(row), stored[row.external_id]) for row in rows)
    authors = {row.author for rows in checked for row in rows
               if isinstance(row, IncomingComment) and row.author}
    with store.read() as conn:
        in_force = authors_in_force(conn, authors)
    results = [tuple(row if isinstance(row, Problem) else
                     answer(row.external_id, answers[id(row)], policy,
                            in_force.get(row.author or ""))
                     for row in rows)
               for rows in checked]
    return results, counts


def _check_group(items: Sequence[dict], source: str, max_text_chars: int
                 ) -> list[IncomingComment | Problem]:
    checked: list[IncomingComment | Problem] = []
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            checked.append(Problem(source, index, "must be a JSON object with id and text",
                                   field="comment"))
            continue
        row = check_record(source, index, _to_store(item), max_text_chars)
        if isinstance(row, IncomingComment):
            seen = first.setdefault(row.external_id, index)
            if seen != index:
                row = Problem(source, index, f"duplicate id in this request (first at item "
                                             f"{seen})", field="id", row_id=row.external_id)
        else:
            row = Problem(row.path, row.line, row.reason, _TO_SITE.get(row.field, row.field),
                          row.row_id)
        checked.append(row)
    return checked


class Submitter:
    """Comments of concurrent requests stored together, through ``submit_groups``.

    ``submit(items)`` queues a request's comments and returns their answers. While no request
    is being stored, the caller stores its own at once, in its own thread (a leader). Requests
    that arrive meanwhile wait; when the leader is done, one of them leads the next batch:
    every request that queued meanwhile (up to ``MAX_BATCH`` comments in all) is stored with
    one scoring call and one transaction. So under load the cost of a comment falls (a batch
    scores far faster per comment than one at a time), and at a low rate a request goes
    alone, without a hand-over. ``store`` is ``submit_groups`` with its settings bound.
    """

    def __init__(self, store: Callable[[list[Sequence[dict]]], tuple[list, dict[str, int]]],
                 *, max_comments: int = MAX_BATCH):
        self._store, self.max_comments = store, max_comments
        self._queue: deque[_Request] = deque()
        self._cond = threading.Condition()
        self._leading = False
        self._closed = False

    def submit(self, items: Sequence[dict]) -> Submitted:
        """The answers to ``items`` (``counts`` are those of the whole batch they went in)."""
        request = _Request(list(items))
        with self._cond:
            if self._closed:
                raise RuntimeError("the submitter is closed")
            self._queue.append(request)
            while not request.finished:
                if self._leading:
                    self._cond.wait()
                    continue
                self._leading = True
                taken = self._take()
                self._cond.release()
                try:
                    self._store_all(taken)
                finally:
                    self._cond.acquire()
                    for done in taken:
                        done.finished = True
                    self._leading = False
                    self._cond.notify_all()
        if request.error is not None:
            raise request.error
        return Submitted(request.results, request.counts)

    def close(self) -> None:
        """Refuse new requests (those queued are still answered)."""
        with self._cond:
            self._closed = True

    def _take(self) -> list[_Request]:
        taken = [self._queue.popleft()]
        size = len(taken[0].items)
        while self._queue and size + len(self._queue[0].items) <= self.max_comments:
            size += len(self._queue[0].items)
            taken.append(self._queue.popleft())
        return taken

    def _store_all(self, taken: list[_Request]) -> None:
        try:
            results, counts = self._store([r.items for r in taken])
            for request, mine in zip(taken, results, strict=True):
                request.results, request.counts = mine, counts
        except Exception as exc:  # noqa: BLE001 - every request of the batch hears of it
            for request in taken:
                request.error = exc


@dataclass
class _Request:
    items: list
    results: tuple = ()
    counts: dict = field(default_factory=dict)
    error: BaseException | None = None
    finished: bool = False


def answer(external_id: str, stored: StoredScore, policy: ActionPolicy,
           author_action: AuthorAction | None = None) -> Answer:
    """The site's answer for a stored comment version. An author action in force
    (pre-moderate: ``hold``, ban: ``reject``) decides the action whatever the scores, and
    comes first among the reasons (label ``author_premoderate`` or ``author_ban``)."""
    action, triggered = policy.action(stored.scores)
    reasons = reasons_for(stored.flagged + triggered)
    site_action = SITE_ACTIONS.get(author_action.kind) if author_action else None
    if site_action is not None:
        action = site_action
        reasons = (author_reason(author_action),) + reasons
    return Answer(id=external_id, version=stored.version, labels=stored.flagged,
                  scores=stored.scores, action=action, reasons=reasons,
                  model_version=stored.model_version)


def author_reason(action: AuthorAction) -> Reason:
    """The reason an author action gives the site, in its words."""
    what = {"premoderate": "Коментарі автора проходять премодерацію",
            "ban": "Автора заблоковано"}[action.kind]
    until = (f" до {action.expires_at:%Y-%m-%d %H:%M} UTC" if action.expires_at
             else "")
    return Reason(f"author_{action.kind}", f"{what}{until}: {action.reason}")


def _to_store(item: dict) -> dict:
    return {_TO_STORE.get(name, name): item.get(name) for name in FIELDS}
