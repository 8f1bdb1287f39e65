"""Comparing two models on decided comments that NEITHER of them was trained on.

The rows are the newest decisions the current model never saw (after its
``decisions_until``); the candidate compared is trained without them. Both models score the
same rows, so the comparison is paired: each bootstrap resample of rows gives both F1s
and their difference, and the 95% percentile interval of the difference says whether the
candidate is better or worse beyond the noise of so few rows. When there are no such rows
the comparison says why and carries no numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from moderation.classifier.metrics import (
    resample_rows,
    resampled_f1,
    resampled_macro,
)
from moderation.classifier.model import flagged
from moderation.taxonomy import LABELS

RESAMPLES = 1000
LEVEL = 0.95
MACRO = "macro"


@dataclass(frozen=True)
class LabelComparison:
    """One label (or ``macro``): F1 of each model on the held-out rows, its interval, and
    the paired difference candidate - current with its interval. ``None`` where the label
    has no positive among the rows (F1 is not defined there)."""

    label: str
    support: int  # rows with this label among the held-out rows (macro: labels with any)
    current_f1: float | None = None
    candidate_f1: float | None = None
    current_ci: tuple[float, float] | None = None
    candidate_ci: tuple[float, float] | None = None
    diff: float | None = None
    diff_ci: tuple[float, float] | None = None

    @property
    def worse(self) -> bool:
        """The candidate is worse beyond noise: the whole interval of the difference < 0."""
        return self.diff_ci is not None and self.diff_ci[1] < 0

    @property
    def better(self) -> bool:
        return self.diff_ci is not None and self.diff_ci[0] > 0


@dataclass(frozen=True)
class Comparison:
    """Current vs candidate on rows neither trained on; ``rows == 0`` means no figures and
    ``reason`` says why."""

    rows: int
    reason: str | None = None
    labels: tuple[LabelComparison, ...] = ()
    macro: LabelComparison | None = None
    clean_rows: int = 0  # held-out rows without any label
    clean_flagged_current: int = 0  # of them, flagged by the current model
    clean_flagged_candidate: int = 0
    resamples: int = 0
    current_version: str | None = None
    candidate_version: str | None = None
    first_decision: int | None = None  # the range of decisions the rows were decided in
    last_decision: int | None = None
    candidate_weight: float | None = None  # the decision weight the candidate was fitted with
    notes: tuple[str, ...] = field(default=())

    @property
    def available(self) -> bool:
        return self.rows > 0 and self.macro is not None

    @property
    def worse_labels(self) -> list[str]:
        """Labels on which the candidate is worse beyond noise."""
        return [c.label for c in self.labels if c.worse]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Comparison:
        def one(x: dict | None) -> LabelComparison | None:
            if x is None:
                return None
            x = dict(x)
            for key in ("current_ci", "candidate_ci", "diff_ci"):
                if x.get(key) is not None:
                    x[key] = tuple(x[key])
            return LabelComparison(**x)

        d = dict(d)
        d["labels"] = tuple(one(x) for x in d.get("labels", ()))
        d["macro"] = one(d.get("macro"))
        d["notes"] = tuple(d.get("notes", ()))
        return cls(**d)


def no_comparison(reason: str, **context) -> Comparison:
    return Comparison(rows=0, reason=reason, **context)


def _interval(values: np.ndarray, level: float) -> tuple[float, float] | None:
    if not len(values):
        return None
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((pred & y).sum())
    return 2 * tp / max(2 * tp + int((pred & ~y).sum()) + int((~pred & y).sum()), 1)


def compare(current, candidate, texts: list[str], Y: np.ndarray, *,
            resamples: int = RESAMPLES, seed: int = 0, level: float = LEVEL,
            first_decision: int | None = None, last_decision: int | None = None,
            candidate_weight: float | None = None) -> Comparison:
    """Score ``texts`` with both models (each at its own thresholds) against ``Y`` (rows x
    labels, 0/1, every label known) and compare them with paired bootstrap intervals."""
    context = dict(current_version=getattr(current, "version", None),
                   candidate_version=getattr(candidate, "version", None),
                   first_decision=first_decision, last_decision=last_decision,
                   candidate_weight=candidate_weight)
    if not len(texts):
        return no_comparison("no decided comments that neither model was trained on",
                             **context)
    y = np.asarray(Y) == 1
    preds = {}
    for name, model in (("current", current), ("candidate", candidate)):
        scores = model.score(texts)
        order = [list(scores.labels).index(label) for label in LABELS]
        thresholds = np.asarray(scores.thresholds)[order]
        preds[name] = flagged(scores.proba[:, order], thresholds)
    idx = resample_rows(len(texts), resamples, seed)
    f1 = {}
    for name, pred in preds.items():
        f1[name], present = resampled_f1(y, pred, idx)
    per_label = []
    for j, label in enumerate(LABELS):
        support = int(y[:, j].sum())
        if not support:
            per_label.append(LabelComparison(label, 0))
            continue
        keep = present[:, j]
        cur, cand = f1["current"][keep, j], f1["candidate"][keep, j]
        a, b = _f1(y[:, j], preds["current"][:, j]), _f1(y[:, j], preds["candidate"][:, j])
        per_label.append(LabelComparison(
            label, support, current_f1=a, candidate_f1=b, current_ci=_interval(cur, level),
            candidate_ci=_interval(cand, level), diff=b - a,
            diff_ci=_interval(cand - cur, level)))
    with_positives = [c for c in per_label if c.support]
    clean = ~y.any(axis=1)
    counts = dict(clean_rows=int(clean.sum()),
                  clean_flagged_current=int(preds["current"][clean].any(axis=1).sum()),
                  clean_flagged_candidate=int(preds["candidate"][clean].any(axis=1).sum()))
    if not with_positives:
        return Comparison(rows=len(texts), labels=tuple(per_label), resamples=resamples,
                          notes=("no held-out comment breaks a rule: F1 is not defined; only "
                                 "the clean comments flagged are compared",), **counts, **context)
    macro_cur = resampled_macro(f1["current"], present)
    macro_cand = resampled_macro(f1["candidate"], present)
    a = float(np.mean([c.current_f1 for c in with_positives]))
    b = float(np.mean([c.candidate_f1 for c in with_positives]))
    macro = LabelComparison(MACRO, len(with_positives), current_f1=a, candidate_f1=b,
                            current_ci=_interval(macro_cur, level),
                            candidate_ci=_interval(macro_cand, level), diff=b - a,
                            diff_ci=_interval(macro_cand - macro_cur, level))
    return Comparison(rows=len(texts), labels=tuple(per_label), macro=macro,
                      resamples=resamples, **counts, **context)
