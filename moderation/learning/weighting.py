"""How much a moderator's decision counts against a seed row, chosen by cross-validation.

The seed corpus has thousands of hand-written rows; a site's own decisions are at first a
few dozen or hundred, about comments as readers really write them. Fitted with the same
weight, the seed rows drown them. Each decided row therefore gets a weight ``w`` (seed rows
1), and ``w`` is chosen among ``CANDIDATES`` by cross-validation: for each candidate, the
out-of-fold predictions of models fitted with it (folds grouped by article, seed and
decisions together, as ``train_model`` does), thresholds picked on those predictions as
``train_model`` picks them (best F1 over the same weighted rows), and then macro F1 on the
*decided* rows only. The best wins; a tie goes to the smaller weight.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from moderation.classifier.dataset import UNKNOWN
from moderation.classifier.training import Progress, quiet
from moderation.taxonomy import LABELS

CANDIDATES = (1.0, 3.0, 10.0, 30.0)
MIN_DECISIONS = 20  # fewer decided rows than this: no choice, weight 1
WEIGHT_FOLDS = 3


@dataclass(frozen=True)
class WeightChoice:
    """The weight of a decided row, and how it was chosen."""

    weight: float
    decisions: int
    scores: dict[float, float | None] = field(default_factory=dict)  # macro F1 on decisions
    folds: int = 0
    reason: str = "cross-validated"  # or why no choice was made

    def weights(self, decided: np.ndarray) -> np.ndarray:
        """One weight per row: ``weight`` for decided rows, 1 for the others."""
        return np.where(decided, self.weight, 1.0)

    def as_dict(self) -> dict:
        return {"weight": self.weight, "decisions": self.decisions, "folds": self.folds,
                "reason": self.reason,
                "scores": [{"weight": w, "macro_f1_decisions": s} for w, s in self.scores.items()]}

    @classmethod
    def from_dict(cls, d: dict) -> WeightChoice:
        scores = {float(s["weight"]): s["macro_f1_decisions"] for s in d.get("scores", [])}
        return cls(weight=float(d["weight"]), decisions=int(d["decisions"]), scores=scores,
                   folds=int(d.get("folds", 0)), reason=str(d.get("reason", "")))


def fixed_weight(weight: float, decisions: int, reason: str) -> WeightChoice:
    return WeightChoice(weight=float(weight), decisions=decisions, reason=reason)


def choose_weight(data, decided: np.ndarray, *, candidates: Sequence[float] = CANDIDATES,
                  folds: int = WEIGHT_FOLDS, seed: int = 0, params: dict | None = None,
                  progress: Progress = quiet) -> WeightChoice:
    """The candidate weight whose cross-validated macro F1 on the decided rows is best.

    ``data`` is a ``LabelledData`` (seed and decided rows), ``decided`` marks the decided
    rows. With fewer than ``MIN_DECISIONS`` decided rows, or none flagged with any label,
    there is nothing to choose on: weight 1.
    """
    from moderation.classifier.metrics import choose_threshold, multilabel_metrics
    from moderation.classifier.training import cross_val_proba

    decided = np.asarray(decided, dtype=bool)
    n = int(decided.sum())
    if n < MIN_DECISIONS:
        return fixed_weight(1.0, n, f"only {n} decided rows (need {MIN_DECISIONS}): weight 1")
    if not (data.Y[decided] == 1).any():
        return fixed_weight(1.0, n, "no decided row breaks a rule: nothing to weigh, weight 1")
    scores: dict[float, float | None] = {}
    for w in candidates:
        weights = np.where(decided, float(w), 1.0)
        P = cross_val_proba(data, folds=folds, seed=seed, params=params, sample_weight=weights)
        thresholds = {}
        for j, label in enumerate(LABELS):
            known = data.Y[:, j] != UNKNOWN
            thresholds[label] = choose_threshold(data.Y[known, j], P[known, j],
                                                 sample_weight=weights[known])
        m = multilabel_metrics(data.Y[decided], P[decided], LABELS, thresholds)
        scores[float(w)] = m["macro_f1"]
        shown = "-" if m["macro_f1"] is None else f"{m['macro_f1']:.3f}"
        progress(f"вага рішень {w:g}: macro F1 на рішеннях (крос-валідація) {shown}")
    best = max(scores, key=lambda w: (-1.0 if scores[w] is None else scores[w], -w))
    return WeightChoice(weight=best, decisions=n, scores=scores, folds=folds)
