"""Training rows for the learning loop: the seed corpus plus every decided comment, with
which decisions they came from.

A model records ``decisions_until`` in its manifest: the highest decision id among the
rows it was trained on. A decided comment is *unseen* by that model when every verdict on
it came later (its first verdict's id is above ``decisions_until``): neither its text nor
any label a moderator gave it was in that model's training data. The rows are read in one
SQL statement, so the ids and the labels come from one snapshot of the store.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from moderation.classifier.dataset import LabelledData, seed_path
from moderation.queue.context import verdicts_in_force
from moderation.store import Store
from moderation.store.schema import VERDICTS, comments, decisions
from moderation.taxonomy import LABELS

DECISIONS_SOURCE = "decisions"  # the ``source`` of decided rows in a training set


@dataclass(frozen=True, eq=False)
class TrainingSet:
    """Seed rows, then decided rows (``data.frame["source"] == "decisions"``)."""

    data: LabelledData
    first_decision: np.ndarray  # per row: id of the first verdict on the comment; 0 for seed
    decisions_until: int  # the highest decision id behind any decided row (0: none)

    @property
    def decided(self) -> np.ndarray:
        """True for the rows that are moderators' decisions."""
        return self.first_decision > 0

    @property
    def decisions(self) -> int:
        return int(self.decided.sum())

    def unseen_by(self, until: int) -> np.ndarray:
        """Decided rows that a model trained on decisions up to ``until`` never saw."""
        return self.first_decision > until

    def subset(self, mask: np.ndarray) -> TrainingSet:
        index = np.flatnonzero(mask)
        first = self.first_decision[index]
        kept = self.data.subset(index)
        kept.problems = list(self.data.problems)
        until = decisions_until_of(kept.frame)
        return TrainingSet(kept, first, until)


def no_rows() -> LabelledData:
    """An empty training set (for training on decisions alone)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object)
                          for c in ("id", "text", "lang", "article_title", "source")})
    frame["line"] = pd.Series(dtype=np.int64)
    return LabelledData(frame, np.zeros((0, len(LABELS)), dtype=np.int8))


def decisions_until_of(frame: pd.DataFrame) -> int:
    """The highest decision id behind the decided rows of a training frame (0: none)."""
    if "last_decision" not in frame or not len(frame):
        return 0
    return int(frame["last_decision"].fillna(0).max())


def decided_frame(store: Store) -> pd.DataFrame:
    """Decided comments: ``id`` (external), ``article_title``, ``text``, ``labels`` (the
    verdict in force), ``lang``, ``first_decision`` (the first verdict on the comment) and
    ``last_decision`` (the latest decision of any kind on it), in one statement."""
    verdicts = verdicts_in_force()
    first = (sa.select(sa.func.min(decisions.c.id))
             .where(decisions.c.comment_id == comments.c.id,
                    decisions.c.action.in_(VERDICTS)).scalar_subquery())
    last = (sa.select(sa.func.max(decisions.c.id))
            .where(decisions.c.comment_id == comments.c.id).scalar_subquery())
    query = (sa.select(comments.c.external_id, comments.c.article_title, comments.c.text,
                       verdicts.c.labels, comments.c.lang, first.label("first_decision"),
                       last.label("last_decision"))
             .join(verdicts, verdicts.c.comment_id == comments.c.id)
             .order_by(comments.c.id))
    with store.read() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows],
                         columns=["id", "article_title", "text", "labels", "lang",
                                  "first_decision", "last_decision"])
    frame["article_title"] = frame["article_title"].fillna("")
    return frame


def training_set(store: Store, *, base: LabelledData | None = None) -> TrainingSet:
    """The seed corpus (or the ``base`` rows given instead) plus every decided comment."""
    from moderation.classifier.dataset import load_seed
    from moderation.classifier.training import as_labelled

    seed = load_seed() if base is None else base
    frame = decided_frame(store)
    parts = [seed]
    if len(frame):
        part = as_labelled(frame)
        part.frame["source"] = DECISIONS_SOURCE
        part.frame["last_decision"] = frame["last_decision"].to_numpy()
        parts.append(part)
    data = LabelledData.concat(parts)
    first = np.concatenate([np.zeros(len(seed), dtype=np.int64),
                            frame["first_decision"].to_numpy(dtype=np.int64)])
    return TrainingSet(data, first, decisions_until_of(frame))


def decisions_seen(manifest: dict) -> int | None:
    """The ``decisions_until`` of a model's manifest: decisions with a higher id are unseen.

    0 for a model trained on the bundled seed corpus alone; ``None`` when it is not known
    which decisions the model saw (trained on other files, or before this was recorded).
    """
    until = manifest.get("decisions_until")
    if isinstance(until, int) and not isinstance(until, bool) and until >= 0:
        return until
    sources = manifest.get("training_data", {}).get("sources") or {}
    if sources and set(sources) <= {seed_path().name}:
        return 0
    return None
