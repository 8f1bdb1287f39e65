"""Training: cross-validated predictions -> per-label thresholds and metrics -> final fit.

Folds are grouped by article (comments under one story never sit on both sides), so the
cross-validated figures estimate quality on comments under stories the model has not seen.
Thresholds are chosen on the out-of-fold predictions (best F1, or a target precision per
label) and stored with the model.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold

from moderation.classifier.bundle import new_model_version, save_bundle
from moderation.classifier.card import model_card
from moderation.classifier.dataset import UNKNOWN, LabelledData
from moderation.classifier.metrics import choose_threshold, multilabel_metrics, slice_metrics
from moderation.classifier.model import ModerationModel, build_pipeline
from moderation.errors import DataError
from moderation.taxonomy import LABELS, parse_labels

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """A ``Progress`` that says nothing."""
    pass


def as_labelled(data: LabelledData | pd.DataFrame) -> LabelledData:
    """Accept a ``LabelledData`` or a frame with ``text`` and ``labels`` (``;``-joined or list)."""
    if isinstance(data, LabelledData):
        return data
    if "text" not in data.columns or "labels" not in data.columns:
        raise DataError("training frame needs columns 'text' and 'labels'")
    Y = np.zeros((len(data), len(LABELS)), dtype=np.int8)
    for i, value in enumerate(data["labels"]):
        names = value if isinstance(value, (list, tuple)) else parse_labels(value)
        for label in names:
            Y[i, LABELS.index(label)] = 1
    frame = pd.DataFrame({
        "id": data["id"].astype(str) if "id" in data else [str(i) for i in range(len(data))],
        "text": data["text"].astype(str).tolist(),
        "lang": data.get("lang", pd.Series([""] * len(data))).fillna("").astype(str).tolist(),
        "article_title": data.get("article_title", pd.Series([""] * len(data))).fillna("")
        .astype(str).tolist(),
        "source": "frame", "line": range(2, len(data) + 2)})
    return LabelledData(frame, Y)


def _folds(data: LabelledData, n_folds: int, seed: int):
    titles = data.frame["article_title"].fillna("")
    groups = np.where(titles.eq(""), data.frame["id"].astype(str), titles)
    if len(np.unique(groups)) >= n_folds * 3:
        order = np.random.default_rng(seed).permutation(len(data))
        splits = GroupKFold(n_splits=n_folds).split(order, groups=groups[order])
        return [(order[a], order[b]) for a, b in splits]
    return list(KFold(n_splits=n_folds, shuffle=True, random_state=seed).split(data.texts))


def cross_val_proba(data: LabelledData, *, folds: int = 5, seed: int = 0,
                    params: dict | None = None, sample_weight: np.ndarray | None = None,
                    progress: Progress = quiet) -> np.ndarray:
    """Out-of-fold probabilities for every row (n x labels); each fold's model is fitted
    with ``sample_weight`` of its training rows when given."""
    P = np.zeros(data.Y.shape, dtype=np.float64)
    template = build_pipeline(**dict(params or {}))
    # the analysis learns nothing: analyse once, then cross-validate the rest
    docs = template.named_steps["analyze"].transform(data.texts)
    template.set_params(analyze="passthrough")
    for k, (train, test) in enumerate(_folds(data, folds, seed), start=1):
        t0 = time.perf_counter()
        fit_params = {} if sample_weight is None else {"clf__sample_weight": sample_weight[train]}
        pipe = clone(template).fit(docs[train], data.Y[train], **fit_params)
        P[test] = pipe.predict_proba(docs[test])
        progress(f"cross-validation fold {k}/{folds}: {time.perf_counter() - t0:.1f} s")
    return P


def train_model(data: LabelledData | pd.DataFrame, out_dir: str | Path | None = None, *,
                folds: int = 5, target_precision: dict[str, float] | None = None,
                params: dict | None = None, seed: int = 0, progress: Progress = quiet,
                extra_manifest: dict | None = None,
                sample_weight: np.ndarray | None = None) -> ModerationModel:
    """Train, pick thresholds on cross-validated predictions, fit on everything, save.

    ``sample_weight`` (one positive number per row) weights rows in every fit and in the
    choice of thresholds: the best-F1 point is taken over the same weighted mix of rows
    the model is fitted to. Returns the model (saved as a bundle in ``out_dir`` when given).
    """
    data = as_labelled(data)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != (len(data),) or not (sample_weight > 0).all():
            raise DataError(f"sample_weight needs one positive number per row ({len(data)})")
    if len(data) < folds * 4:
        raise DataError(f"only {len(data)} usable rows; need at least {folds * 4} to train")
    for j, label in enumerate(LABELS):
        known = data.Y[:, j] != UNKNOWN
        pos = int((data.Y[known, j] == 1).sum())
        if pos < folds or known.sum() - pos < folds:
            raise DataError(f"label {label!r} has {pos} positive and {known.sum() - pos} negative "
                            f"rows; need at least {folds} of each")
    started = time.perf_counter()
    progress(f"training on {len(data):,} rows, {folds}-fold cross-validation grouped by article")
    P = cross_val_proba(data, folds=folds, seed=seed, params=params, progress=progress,
                        sample_weight=sample_weight)
    thresholds = {}
    for j, label in enumerate(LABELS):
        known = data.Y[:, j] != UNKNOWN
        tp = (target_precision or {}).get(label)
        thresholds[label] = choose_threshold(
            data.Y[known, j], P[known, j], target_precision=tp,
            sample_weight=None if sample_weight is None else sample_weight[known])
    metrics = multilabel_metrics(data.Y, P, LABELS, thresholds)
    metrics.update(slice_metrics(data.frame, data.Y, P, thresholds))
    t0 = time.perf_counter()
    fit_params = {} if sample_weight is None else {"clf__sample_weight": sample_weight}
    pipeline = build_pipeline(**dict(params or {})).fit(
        data.texts, data.Y, clf__thresholds=[thresholds[label] for label in LABELS],
        **fit_params)
    progress(f"final fit on all rows: {time.perf_counter() - t0:.1f} s")
    fingerprint = data.fingerprint()
    manifest = {
        "model_version": new_model_version(fingerprint),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "training_data": {
            "fingerprint": fingerprint, "rows": len(data),
            "sources": data.frame["source"].value_counts().to_dict(),
            "label_counts": data.label_counts(), "mappings": data.mappings,
        },
        "params": dict(params or {}),
        "cv": {"folds": folds, "grouped_by": "article_title", "seed": seed},
        "metrics": {"cv": metrics},
        "target_precision": target_precision or {},
        "train_seconds": round(time.perf_counter() - started, 1),
        **(extra_manifest or {}),
    }
    model = ModerationModel(pipeline, manifest)
    if out_dir is None:
        return model
    saved = save_bundle(model, out_dir, card=model_card(manifest))
    progress(f"saved bundle to {saved.path}")
    return saved
