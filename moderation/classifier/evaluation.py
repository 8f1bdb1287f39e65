"""Evaluation on files that are never trained on.

- the public files in ``../shared/data/eval``: ``toxic`` is scored as insult OR improper,
  ``advertising`` as advertising: the file's score is the highest probability among the
  mapped labels, and a row is flagged when any of them is at or above its threshold;
- the bundled independently written sets in ``moderation/data/eval`` (seed format, all six
  labels): comments by writers who followed LABELING.md but never saw the seed corpus.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np

from moderation.classifier.dataset import LabelledData, read_labelled, targets_for
from moderation.classifier.metrics import (
    binary_metrics,
    bootstrap_f1,
    multilabel_metrics,
    slice_metrics,
)
from moderation.classifier.model import ModerationModel
from moderation.errors import DataError

TARGETS = {"toxic": ["insult", "improper"], "advertising": ["advertising"]}


def shared_data_dir() -> Path | None:
    """``MODERATION_SHARED_DATA``, else ``../shared/data`` from the working directory or the
    repository; None when absent (a user's machine has none of it)."""
    candidates = [os.environ.get("MODERATION_SHARED_DATA"), Path.cwd().parent / "shared" / "data",
                  Path(__file__).resolve().parents[2] / "shared" / "data"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def _read(path: Path, mapping: dict[str, list[str]] | None) -> LabelledData:
    return read_labelled(path, mapping={**TARGETS, **(mapping or {})}, max_chars=10**7)


def evaluate_file(model: ModerationModel, path: str | Path,
                  mapping: dict[str, list[str]] | None = None) -> dict:
    """Metrics of ``model`` on one labelled file (read once).

    Seed format: per-label metrics and macro/micro F1 at the model's thresholds. A 0/1
    target file: the binary metrics of its column (``TARGETS`` unless ``mapping`` says).
    """
    path = Path(path)
    data = _read(path, mapping)
    targets = data.mappings.get(path.name, {})
    if not targets:
        return evaluate_labelled(model, data)
    if len(targets) != 1:
        raise DataError(f"more than one target column ({', '.join(targets)}); evaluate one "
                        "at a time", path=str(path))
    (column, labels), = targets.items()
    return {"targets": {column: evaluate_binary(model, data, column, labels)}}


def evaluate_labelled(model: ModerationModel, data: LabelledData, *,
                      bootstrap: int = 0) -> dict:
    """Seed-format metrics: per label, macro/micro F1 at the model's thresholds, recall on
    disguised vs plain violations (when the file marks them) and macro F1 per language --
    the same figures cross-validation reports. ``bootstrap`` resamples add rough 95%
    intervals: ``macro_f1_ci`` and, per label, ``f1_ci``."""
    P = model.score(data.texts).proba
    out = multilabel_metrics(data.Y, P, model.labels, model.thresholds)
    out.update(slice_metrics(data.frame, data.Y, P, model.thresholds, labels=model.labels))
    if bootstrap:
        ci = bootstrap_f1(data.Y, P, model.labels, model.thresholds, resamples=bootstrap)
        if ci is not None:
            out["macro_f1_ci"] = list(ci["macro_f1"])
            for label, interval in ci["labels"].items():
                if label in out["labels"]:
                    out["labels"][label]["f1_ci"] = list(interval)
            out["bootstrap_resamples"] = bootstrap
    out["rows"] = len(data)
    out["problems"] = [str(p) for p in data.problems]
    return out


def evaluate_binary(model: ModerationModel, data: LabelledData, column: str,
                    labels: list[str]) -> dict:
    y = targets_for(data, labels)
    idx = [model.labels.index(label) for label in labels]
    P = model.score(data.texts).proba[:, idx]
    thr = np.array([model.thresholds[label] for label in labels])
    # a score whose 0.5 crossing is the flag decision: the margin of the best mapped label
    score = (P - thr).max(axis=1) + 0.5
    m = binary_metrics(y, score, 0.5)
    m["target"] = f"{column} = {' or '.join(labels)}"
    return m


def evaluate_shared(model: ModerationModel, data_dir: Path | None = None) -> dict[str, dict]:
    data_dir = data_dir or shared_data_dir()
    if data_dir is None or not (data_dir / "eval").is_dir():
        return {}
    out = {}
    for path in sorted((data_dir / "eval").glob("*.csv")):
        result = evaluate_file(model, path).get("targets", {})
        if len(result) == 1:
            out[path.name] = next(iter(result.values()))
    return out


def independent_paths() -> list[Path]:
    """The bundled independently written evaluation sets (``moderation/data/eval/*.csv``)."""
    folder = Path(str(resources.files("moderation") / "data" / "eval"))
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def evaluate_independent(model: ModerationModel, paths: list[Path] | None = None, *,
                         bootstrap: int = 200) -> dict[str, dict]:
    """Seed-format metrics of ``model`` on each independently written set, by file name.

    Each entry: ``labels`` (per-label precision/recall/F1/ROC-AUC/PR-AUC), ``macro_f1``,
    ``micro_f1``, ``recall_disguised``/``recall_plain`` (with ``positives_*``), ``by_lang``,
    ``macro_f1_ci`` and per-label ``f1_ci`` (rough 95% bootstrap intervals over
    ``bootstrap`` resamples of rows; 0 = none),
    ``rows`` and ``problems``.
    """
    out = {}
    for path in paths if paths is not None else independent_paths():
        path = Path(path)
        out[path.name] = evaluate_labelled(model, read_labelled(path), bootstrap=bootstrap)
    return out
