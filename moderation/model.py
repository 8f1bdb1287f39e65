"""The model: one scikit-learn ``Pipeline`` from raw text to a probability per label.

``normalize`` (TextNormalizer) -> ``features`` (word + char TF-IDF + signal counts) ->
``clf`` (:class:`MultiLabelLinear`: one class-weighted logistic regression per label,
scored with one sparse product of the stacked coefficients).

:class:`ModerationModel` wraps a fitted pipeline with its labels, per-label thresholds and
manifest; it is what :func:`moderation.load_model` returns.
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

from moderation.errors import DataError
from moderation.features import build_features
from moderation.normalize import TextNormalizer
from moderation.taxonomy import LABELS

UNKNOWN = -1  # a label value not known for a row (e.g. a file that only says ``toxic``)


class MultiLabelLinear(ClassifierMixin, BaseEstimator):
    """One logistic regression per label, with class weights, fitted on the rows where that
    label is known (``Y[:, j] != -1``); prediction is one product with stacked coefficients.
    """

    def __init__(self, C: float = 4.0, class_weight: str | dict | None = "balanced",
                 max_iter: int = 2000, n_jobs: int | None = 2):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, X, Y):
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

        def fit_one(j: int):
            known = Y[:, j] != UNKNOWN
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    max_iter=self.max_iter)
            lr.fit(X if known.all() else X[known], Y[known, j])
            return lr.coef_[0], lr.intercept_[0]

        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(fit_one)(j) for j in range(Y.shape[1]))
        self.coef_ = np.vstack([c for c, _ in fitted]).astype(np.float64)
        self.intercept_ = np.asarray([b for _, b in fitted], dtype=np.float64)
        self.n_labels_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def coef_t(self) -> np.ndarray:
        """``coef_.T``, C-ordered (made once: scipy would copy the transposed view on every
        product)."""
        check_is_fitted(self, "coef_")
        coef, coef_t = self.__dict__.get("_coef_t", (None, None))
        if coef is not self.coef_:
            coef_t = np.ascontiguousarray(self.coef_.T)
            self.__dict__["_coef_t"] = (self.coef_, coef_t)
        return coef_t

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_t()) + self.intercept_

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_coef_t", None)
        return state

    def predict_proba(self, X) -> np.ndarray:
        return self.proba_from_scores(self.decision_function(X))

    @staticmethod
    def proba_from_scores(scores: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-scores))

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)


def build_pipeline(**params) -> Pipeline:
    """A fresh, unfitted pipeline. ``params`` go to :func:`build_features` (``C`` to the
    classifier, ``max_chars`` to the normaliser)."""
    C = params.pop("C", 4.0)
    max_chars = params.pop("max_chars", 20_000)
    return Pipeline([
        ("normalize", TextNormalizer(max_chars=max_chars)),
        ("features", build_features(**params)),
        ("clf", MultiLabelLinear(C=C)),
    ])


@dataclass(frozen=True)
class Span:
    """A stretch of the ORIGINAL comment that pushed a label up."""

    start: int
    end: int
    text: str
    weight: float


@dataclass
class ModerationModel:
    """A fitted pipeline with its labels, thresholds and manifest."""

    pipeline: Pipeline
    thresholds: dict[str, float]
    labels: tuple[str, ...] = LABELS
    manifest: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def version(self) -> str:
        return str(self.manifest.get("model_version", "unsaved"))

    @property
    def metrics(self) -> dict:
        return self.manifest.get("metrics", {})

    @property
    def card(self) -> str:
        if self.path is not None and (self.path / "MODEL_CARD.md").exists():
            return (self.path / "MODEL_CARD.md").read_text(encoding="utf-8")
        return ""

    def _texts(self, texts: Iterable[str] | str) -> list[str]:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts (for one comment: [text])")
        texts = list(texts)
        if all(type(t) is str for t in texts):  # the usual case
            return texts
        out = []
        for i, t in enumerate(texts):
            if t is None or (isinstance(t, float) and t != t):
                raise DataError("text is empty (None/NaN)", row=i, field="text")
            out.append(str(t))
        return out

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 2000) -> pd.DataFrame:
        """Probability per label, one row per text, one column per label."""
        texts = self._texts(texts)
        parts = []
        for start in range(0, len(texts), batch_size):
            parts.append(self._proba(texts[start:start + batch_size]))
        proba = np.vstack(parts) if parts else np.zeros((0, len(self.labels)))
        return pd.DataFrame(proba, columns=list(self.labels))

    def _proba(self, texts: list[str]) -> np.ndarray:
        """``pipeline.predict_proba`` without the per-call overhead of ``FeatureUnion``
        (it starts joblib even for one comment): the same steps, called directly."""
        steps = self.pipeline.named_steps
        union = steps["features"]
        if union.transformer_weights or not hasattr(union, "transformer_list"):
            return self.pipeline.predict_proba(texts)
        parts = [t for _, t in union.transformer_list if t not in ("drop", None)]
        clf = steps["clf"]
        normalizer = steps["normalize"]
        if isinstance(clf, MultiLabelLinear) and hasattr(normalizer, "words") and \
                all(hasattr(t, "decision") for t in parts):
            norm = normalizer.words(texts)  # the features take the words, no strings
            # the classifier's scores summed block by block: no stacked matrix is built
            coef_t = clf.coef_t()
            scores = np.tile(clf.intercept_, (len(texts), 1))
            start = 0
            for t in parts:
                end = start + t.n_columns
                scores += t.decision(norm, coef_t[start:end])
                start = end
            if start != len(coef_t):
                raise ValueError(f"the features have {start} columns, the classifier "
                                 f"{len(coef_t)}")
            return clf.proba_from_scores(scores)
        norm = normalizer.transform(texts)
        mats = [t.transform(norm) for t in parts]
        return clf.predict_proba(sp.hstack(mats, format="csr"))

    def flags(self, proba: pd.DataFrame) -> list[list[str]]:
        """Labels at or above their threshold, per row of a ``predict_proba`` frame."""
        thr = np.array([self.thresholds[label] for label in self.labels])
        hits = proba[list(self.labels)].to_numpy() >= thr
        return [[label for label, hit in zip(self.labels, row) if hit] for row in hits]

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """Flagged labels per text."""
        return self.flags(self.predict_proba(texts))

    def explain(self, text: str, *, top: int = 8) -> dict[str, list[Span]]:
        """For each flagged label, the stretches of ``text`` that pushed it (original spans)."""
        from moderation.explain import explain_text

        return explain_text(self, text, top=top)
