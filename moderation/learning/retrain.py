"""Retraining from moderators' decisions: the training set, a candidate model, a comparison
with the current model, and promotion (admin actions; each checks the role itself)."""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.auth import Moderator, require_admin
from moderation.taxonomy import LABELS

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def training_data(store):
    """The seed corpus plus every decided comment (the decision in force), as one set."""
    from moderation.classifier.dataset import LabelledData, load_seed
    from moderation.classifier.training import as_labelled
    from moderation.queue.export import decisions_frame

    parts = [load_seed()]
    frame = decisions_frame(store)
    if len(frame):
        part = as_labelled(frame)
        part.frame["source"] = "decisions"
        parts.append(part)
    return LabelledData.concat(parts), len(frame)


def holdout_split(data, *, test_size: float = 0.2, seed: int = 0):
    """(train, held-out) with no article on both sides (rows without a title go by id)."""
    from sklearn.model_selection import GroupShuffleSplit

    titles_ = data.frame["article_title"].fillna("")
    groups = np.where(titles_.eq(""), data.frame["id"].astype(str), titles_)
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(data)), groups=groups))
    return data.subset(train), data.subset(test)


def compare_models(models: dict[str, object], data) -> pd.DataFrame:
    """Precision, recall and F1 per label (plus macro F1) of each model on ``data``."""
    from moderation.classifier.metrics import multilabel_metrics

    rows = []
    for name, model in models.items():
        if model is None:
            continue
        P = model.predict_proba(data.texts)[list(LABELS)].to_numpy()
        metrics = multilabel_metrics(data.Y, P, LABELS, model.thresholds)
        for label in LABELS:
            m = metrics["labels"].get(label, {})
            rows.append({"model": name, "label": label, "precision": m.get("precision"),
                         "recall": m.get("recall"), "f1": m.get("f1")})
        rows.append({"model": name, "label": "macro", "precision": None, "recall": None,
                     "f1": metrics["macro_f1"]})
    return pd.DataFrame(rows, columns=["model", "label", "precision", "recall", "f1"])


@dataclass(frozen=True)
class Candidate:
    """A model retrained from the seed corpus plus decisions, not yet in use."""

    version: str
    path: Path
    comparison: pd.DataFrame  # compare_models(...) on the held-out split: "new", "current"
    train_rows: int
    holdout_rows: int
    decisions: int
    metrics: dict = field(default_factory=dict)


def retrain(admin: Moderator, store, current_model, out_root: str | Path, *, folds: int = 5,
            test_size: float = 0.2, seed: int = 0, progress: Progress = _quiet) -> Candidate:
    """Train a candidate on the seed corpus plus all decisions, minus a held-out split.

    The candidate is saved under ``out_root/<version>`` and compared with ``current_model``
    (may be ``None``) on the held-out split. The current model may have seen some of those
    rows when it was trained, so its figures there can be optimistic.
    """
    from moderation.classifier.training import train_model

    require_admin(admin)
    data, n_decisions = training_data(store)
    train, holdout = holdout_split(data, test_size=test_size, seed=seed)
    progress(f"{len(train):,} рядків для навчання, {len(holdout):,} відкладено для порівняння "
             f"({n_decisions:,} рішень модераторів)")
    out_root = Path(out_root)
    staging = out_root / f"staging-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S-%f}"
    model = train_model(train, staging, folds=folds, seed=seed, progress=progress,
                        extra_manifest={"retrained_by": admin.name,
                                        "decisions_used": n_decisions})
    final = out_root / model.version
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    progress("порівняння з поточною моделлю на відкладених рядках")
    comparison = compare_models({"new": model, "current": current_model}, holdout)
    new_rows = comparison[comparison["model"] == "new"]
    return Candidate(version=model.version, path=final, comparison=comparison,
                     train_rows=len(train), holdout_rows=len(holdout), decisions=n_decisions,
                     metrics={row.label: row.f1 for row in new_rows.itertuples()})


def promote(admin: Moderator, store, candidate_path: str | Path, model_dir: str | Path, *,
            metrics: dict | None = None, note: str | None = None):
    """Make the bundle at ``candidate_path`` the current model in ``model_dir``; recorded.

    The bundle is verified (hashes, versions) before it is copied; returns the ``Promotion``.
    """
    from moderation import load_model
    from moderation.classifier.bundle import save_bundle
    from moderation.learning.promotions import record_promotion

    require_admin(admin)
    model = load_model(candidate_path)
    save_bundle(model, model_dir, card=model.card)
    return record_promotion(store, model.version, admin.name, path=str(Path(model_dir)),
                            metrics=metrics, note=note)
