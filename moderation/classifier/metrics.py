"""Metrics per label and decision thresholds, on rows where a label is known."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)

from moderation.classifier.dataset import UNKNOWN
from moderation.classifier.model import flagged
from moderation.taxonomy import LABELS


def choose_threshold(y: np.ndarray, p: np.ndarray, *, target_precision: float | None = None,
                     sample_weight: np.ndarray | None = None) -> float:
    """Best-F1 threshold, or the lowest one reaching ``target_precision`` (best F1 if none);
    precision and recall weighted by ``sample_weight`` when given."""
    if len(np.unique(y)) < 2:
        return 0.5
    precision, recall, thresholds = precision_recall_curve(y, p, sample_weight=sample_weight)
    precision, recall = precision[:-1], recall[:-1]
    if target_precision is not None:
        ok = np.flatnonzero(precision >= target_precision)
        if len(ok):
            return float(thresholds[ok[0]])
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1))
    # midway to the next score up, so the threshold is not glued to one training score
    upper = thresholds[best + 1] if best + 1 < len(thresholds) else thresholds[best]
    return float((thresholds[best] + upper) / 2)


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    y = np.asarray(y).astype(int)
    pred = flagged(np.asarray(p), threshold).astype(int)
    both = len(np.unique(y)) == 2
    return {
        "support": int(y.sum()),
        "n": int(len(y)),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "threshold": float(threshold),
    }


def multilabel_metrics(Y: np.ndarray, P: np.ndarray, labels: tuple[str, ...],
                       thresholds: dict[str, float]) -> dict:
    """Per-label metrics plus macro / micro F1 (micro over rows where a label is known)."""
    per_label = {}
    tp = fp = fn = 0
    for j, label in enumerate(labels):
        known = Y[:, j] != UNKNOWN
        if not known.any():
            continue
        y, p = Y[known, j], P[known, j]
        m = binary_metrics(y, p, thresholds[label])
        per_label[label] = m
        pred = flagged(p, thresholds[label])
        tp += int((pred & (y == 1)).sum())
        fp += int((pred & (y == 0)).sum())
        fn += int((~pred & (y == 1)).sum())
    f1s = [m["f1"] for m in per_label.values() if m["support"] > 0]
    micro_p = tp / (tp + fp) if tp + fp else 0.0
    micro_r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "labels": per_label,
        "macro_f1": float(np.mean(f1s)) if f1s else None,
        "micro_f1": float(2 * micro_p * micro_r / (micro_p + micro_r)) if tp else 0.0,
    }


def slice_metrics(frame, Y: np.ndarray, P: np.ndarray, thresholds: dict[str, float], *,
                  labels: tuple[str, ...] = LABELS, min_lang_rows: int = 20) -> dict:
    """Recall on disguised vs plain violating rows, macro F1 per language, and the share of
    clean rows (every label known and 0) that get any flag (``clean_flagged``).

    ``frame`` has ``lang`` and, when the file marks disguises, ``disguised``. Recall counts
    label instances: of the (row, label) positives among disguised (plain) rows, the share
    flagged. Rows with an unknown label are left out; languages with fewer than
    ``min_lang_rows`` rows are not reported.
    """
    out: dict = {}
    thr = np.array([thresholds[label] for label in labels])
    known_all = (Y != UNKNOWN).all(axis=1)
    hits = flagged(P, thr)
    hit = hits & (Y == 1)
    pos = Y == 1
    clean = known_all & (Y == 0).all(axis=1)
    if clean.any():
        out["clean_flagged"] = float(hits[clean].any(axis=1).mean())
        out["clean_rows"] = int(clean.sum())
    if "disguised" in frame:
        # rows from a file without the column (NaN after a concat) are neither
        disguised = frame["disguised"].eq(True).to_numpy()
        plain = frame["disguised"].eq(False).to_numpy()
        masks = (("disguised", disguised & known_all), ("plain", plain & known_all))
        for name, mask in masks:
            if pos[mask].sum():
                out[f"recall_{name}"] = float(hit[mask].sum() / pos[mask].sum())
                out[f"positives_{name}"] = int(pos[mask].sum())
        by_label: dict = {}
        for j, label in enumerate(labels):
            for name, mask in masks:
                n = int(pos[mask, j].sum())
                if n:
                    by_label.setdefault(label, {})[name] = {
                        "positives": n, "recall": float(hit[mask, j].sum() / n)}
        if by_label:
            # the label mix of disguised rows differs from plain ones: compare per label too
            out["disguise_by_label"] = by_label
    langs = {}
    for lang in sorted(set(frame["lang"]) - {""}):
        mask = (frame["lang"] == lang).to_numpy() & known_all
        if mask.sum() >= min_lang_rows:
            m = multilabel_metrics(Y[mask], P[mask], labels, thresholds)
            langs[lang] = {"rows": int(mask.sum()), "macro_f1": m["macro_f1"],
                           "micro_f1": m["micro_f1"]}
    if langs:
        out["by_lang"] = langs
    return out


def resample_rows(n: int, resamples: int, seed: int = 0) -> np.ndarray:
    """Row indices of ``resamples`` bootstrap samples of ``n`` rows (resamples x n)."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def resampled_f1(y: np.ndarray, pred: np.ndarray, idx: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """F1 per resample and label (resamples x labels) of boolean predictions ``pred``
    against boolean truths ``y`` (rows x labels) over the samples ``idx``, and where the
    label has positives in the sample (only those count, as in ``multilabel_metrics``)."""
    tp = (pred[idx] & y[idx]).sum(axis=1)  # resamples x labels
    fp = (pred[idx] & ~y[idx]).sum(axis=1)
    fn = (~pred[idx] & y[idx]).sum(axis=1)
    return 2 * tp / np.maximum(2 * tp + fp + fn, 1), (tp + fn) > 0


def resampled_macro(f1: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Macro F1 per resample over the labels with positives in it."""
    return (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)


def bootstrap_f1(Y: np.ndarray, P: np.ndarray, labels: tuple[str, ...],
                 thresholds: dict[str, float], *, resamples: int = 200, seed: int = 0,
                 level: float = 0.95) -> dict | None:
    """Rough percentile intervals of per-label and macro F1 at fixed thresholds.

    Rows are resampled with replacement. For a small evaluation file (a few hundred rows)
    this shows how much the figures would move with another sample of comments from the
    same writers -- not any bias of the writers themselves. Needs every label known on
    every row; None otherwise. Returns ``{"macro_f1": (lo, hi), "labels": {label: (lo, hi)}}``.
    """
    if len(Y) < 2 or (Y == UNKNOWN).any() or resamples < 1:
        return None
    pred = flagged(P, np.array([thresholds[label] for label in labels]))
    idx = resample_rows(len(Y), resamples, seed)
    f1, present = resampled_f1(Y == 1, pred, idx)
    macro = resampled_macro(f1, present)
    tail = (1 - level) / 2 * 100

    def interval(values: np.ndarray) -> tuple[float, float]:
        lo, hi = np.percentile(values, [tail, 100 - tail])
        return float(lo), float(hi)

    return {"macro_f1": interval(macro),
            "labels": {label: interval(f1[present[:, j], j]) for j, label in enumerate(labels)
                       if present[:, j].any()}}


def fmt_score(value: float | None) -> str:
    """A score with three decimals, ``-`` when there is none."""
    return "-" if value is None else f"{value:.3f}"


def slice_phrases(m: dict) -> list[str]:
    """The disguised-vs-plain recall and the per-language macro F1 of ``m`` in words (for
    the training output and the model card)."""
    phrases = []
    if "clean_flagged" in m:
        phrases.append(f"clean comments flagged {m['clean_flagged']:.1%} (of {m['clean_rows']})")
    if "recall_disguised" in m and "recall_plain" in m:
        phrases.append(f"recall on disguised violating rows {fmt_score(m['recall_disguised'])} "
                       f"({m['positives_disguised']} label positives) vs plain "
                       f"{fmt_score(m['recall_plain'])} ({m['positives_plain']})")
    if m.get("by_lang"):
        phrases.append("macro F1 by language (languages with 20+ rows): " + ", ".join(
            f"{k} {fmt_score(v['macro_f1'])} ({v['rows']} rows)" for k, v in m["by_lang"].items()))
    return phrases


def format_metrics(metrics: dict) -> str:
    """A fixed-width table for the terminal."""
    lines = [f"{'label':<22}{'n':>6}{'pos':>6}{'prec':>7}{'rec':>7}{'F1':>7}{'ROC-AUC':>9}"
             f"{'PR-AUC':>8}{'thr':>7}"]
    for label, m in metrics["labels"].items():
        roc = f"{m['roc_auc']:.3f}" if m["roc_auc"] is not None else "-"
        pr = f"{m['pr_auc']:.3f}" if m["pr_auc"] is not None else "-"
        lines.append(f"{label:<22}{m['n']:>6}{m['support']:>6}{m['precision']:>7.3f}"
                     f"{m['recall']:>7.3f}{m['f1']:>7.3f}{roc:>9}{pr:>8}{m['threshold']:>7.3f}")
    if metrics.get("macro_f1") is not None:
        lines.append(f"macro F1 {metrics['macro_f1']:.3f}   micro F1 {metrics['micro_f1']:.3f}")
    return "\n".join(lines)
