"""The model: one scikit-learn ``Pipeline`` from raw comments to a probability per label.

``analyze`` (:class:`~moderation.classifier.analysis.Analyzer`) -> ``features`` (word and
character TF-IDF + signal counts, :mod:`moderation.classifier.features`) -> ``clf``
(:class:`MultiLabelLinear`: one class-weighted logistic regression per label, and each
label's decision threshold, fitted with it).

:class:`ModerationModel` is what :func:`moderation.load_model` returns: the fitted pipeline
with the manifest and the card of its bundle. :meth:`ModerationModel.score` is the one batch
call that ingest, file scoring, evaluation and the UI use: probabilities, flagged labels,
queue priority and uncertainty together.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from moderation.classifier.analysis import Analyzer, as_texts
from moderation.classifier.dataset import UNKNOWN
from moderation.classifier.features import build_features
from moderation.errors import DataError
from moderation.taxonomy import LABELS

CHUNK_CHARS = 1_000_000  # ``score`` analyses at most this many characters at once
CHUNK_TEXTS = 2_000


def flagged(proba: np.ndarray, thresholds) -> np.ndarray:
    """Where a label is flagged: its probability at or above its threshold (the one place
    this decision is made; ``thresholds`` broadcast over the last axis)."""
    return proba >= thresholds


class MultiLabelLinear(ClassifierMixin, BaseEstimator):
    """One logistic regression per label, with class weights, fitted on the rows where that
    label is known (``Y[:, j] != -1``); scores are one product with the stacked coefficients.

    ``fit(X, Y, thresholds=...)`` also sets ``thresholds_``, the probability at or above
    which each label is flagged (chosen by training on cross-validated predictions; 0.5
    when not given). ``predict`` uses them.
    """

    def __init__(self, C: float = 16.0, class_weight: str | dict | None = "balanced",
                 max_iter: int = 2000, n_jobs: int | None = 2):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, X, Y, *, thresholds: Sequence[float] | None = None,
            sample_weight: np.ndarray | None = None):
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError("MultiLabelLinear needs Y of shape (n_samples, n_labels)")
        X = sp.csr_matrix(X, dtype=np.float64)
        X.sum_duplicates()  # threads on a FeatureUnion output crash without it (PERFORMANCE.md)
        for j in range(Y.shape[1]):
            known = Y[:, j] != UNKNOWN
            if len(np.unique(Y[known, j])) < 2:
                raise DataError(f"label column {j} has only one class among {known.sum()} rows; "
                                "every label needs positive and negative examples")
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

        def fit_one(j: int):
            known = Y[:, j] != UNKNOWN
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    max_iter=self.max_iter)
            lr.fit(X if known.all() else X[known], Y[known, j],
                   sample_weight=None if weight is None else weight[known])
            return lr.coef_[0], lr.intercept_[0]

        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(fit_one)(j) for j in range(Y.shape[1]))
        # Fortran order: coef_.T is then C-ordered, so X @ coef_.T copies nothing
        self.coef_ = np.asfortranarray(np.vstack([c for c, _ in fitted]), dtype=np.float64)
        self.intercept_ = np.asarray([b for _, b in fitted], dtype=np.float64)
        self.thresholds_ = np.full(Y.shape[1], 0.5) if thresholds is None else \
            np.asarray(thresholds, dtype=np.float64)
        if self.thresholds_.shape != (Y.shape[1],):
            raise ValueError(f"{len(self.thresholds_)} thresholds for {Y.shape[1]} labels")
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def predict(self, X) -> np.ndarray:
        """1 where a label's probability is at or above its threshold."""
        return flagged(self.predict_proba(X), self.thresholds_).astype(int)


def build_pipeline(**params) -> Pipeline:
    """A fresh, unfitted pipeline. ``params`` go to :func:`build_features` (``C`` to the
    classifier, ``max_chars`` to the analyzer)."""
    C = params.pop("C", 16.0)
    max_chars = params.pop("max_chars", 20_000)
    return Pipeline([
        ("analyze", Analyzer(max_chars=max_chars)),
        ("features", build_features(**params)),
        ("clf", MultiLabelLinear(C=C)),
    ])


@dataclass(frozen=True)
class Scored:
    """One comment's scores: what ingest stores and the queue orders by."""

    scores: dict[str, float]
    flagged: tuple[str, ...]
    priority: float  # highest label score
    uncertainty: float  # smallest distance of a score to its label's threshold


@dataclass(frozen=True, eq=False)
class Scores:
    """A batch's probabilities with what follows from the model's thresholds."""

    labels: tuple[str, ...]
    proba: np.ndarray  # texts x labels
    thresholds: np.ndarray

    def __len__(self) -> int:
        return len(self.proba)

    @property
    def hits(self) -> np.ndarray:
        """Texts x labels, True where flagged."""
        return flagged(self.proba, self.thresholds)

    @property
    def flags(self) -> list[tuple[str, ...]]:
        return [tuple(label for label, hit in zip(self.labels, row) if hit) for row in self.hits]

    @property
    def priority(self) -> np.ndarray:
        return self.proba.max(axis=1) if len(self.proba) else np.zeros(0)

    @property
    def uncertainty(self) -> np.ndarray:
        gap = np.abs(self.proba - self.thresholds)
        return gap.min(axis=1) if len(gap) else np.zeros(0)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.proba, columns=list(self.labels))

    def rows(self) -> list[Scored]:
        return [Scored(dict(zip(self.labels, map(float, p))), f, float(pr), float(u))
                for p, f, pr, u in zip(self.proba, self.flags, self.priority, self.uncertainty)]


@dataclass(frozen=True, eq=False)
class ModerationModel:
    """A fitted pipeline with the manifest and card of its bundle (``path`` once saved)."""

    pipeline: Pipeline
    manifest: dict = field(default_factory=dict)
    card: str = ""  # MODEL_CARD.md as verified when the bundle was loaded
    path: Path | None = None
    labels: tuple[str, ...] = LABELS

    @property
    def version(self) -> str:
        return str(self.manifest.get("model_version", "unsaved"))

    @property
    def metrics(self) -> dict:
        return self.manifest.get("metrics", {})

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(zip(self.labels, map(float, self.pipeline[-1].thresholds_)))

    @property
    def max_chars(self) -> int:
        return int(self.pipeline.named_steps["analyze"].max_chars)

    def score(self, texts: Iterable[str]) -> Scores:
        """Scores of every text, analysed a bounded slice at a time (memory of a call stays
        bounded whatever the input: see ``CHUNK_CHARS``)."""
        texts = as_texts(texts)
        parts = [self.pipeline.predict_proba(chunk) for chunk in _chunks(texts, self.max_chars)]
        proba = np.vstack(parts) if parts else np.zeros((0, len(self.labels)))
        return Scores(self.labels, proba, self.pipeline[-1].thresholds_)

    def predict_proba(self, texts: Iterable[str]) -> pd.DataFrame:
        """Probability per label, one row per text, one column per label."""
        return self.score(texts).frame()

    def predict(self, texts: Iterable[str]) -> list[list[str]]:
        """Flagged labels per text."""
        return [list(flags) for flags in self.score(texts).flags]

    def explain(self, text: str, *, top: int = 8):
        """For each flagged label, the stretches of ``text`` that pushed it (original spans)."""
        from moderation.classifier.explain import explain_text

        return explain_text(self, text, top=top)


def _chunks(texts: list[str], max_chars: int):
    start, size = 0, 0
    for i, text in enumerate(texts):
        length = min(len(text), max_chars)
        if i > start and (size + length > CHUNK_CHARS or i - start >= CHUNK_TEXTS):
            yield texts[start:i]
            start, size = i, 0
        size += length
    if start < len(texts):
        yield texts[start:]
