"""Features over normalised text: word n-grams, character n-grams and counted signals."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation import lexicon
from moderation.normalize import SIGNALS

WORD_TOKEN_PATTERN = r"(?u)[\w*']+"
SIGNAL_FEATURES = (*SIGNALS, "obscene", "insult", "threat", "masked", "exclaim")


class SignalCounter(TransformerMixin, BaseEstimator):
    """Counts of placeholder tokens and lexicon hits per text, as ``log1p`` values."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def fit(self, X: Iterable[str], y=None):
        self.n_features_in_ = 1
        return self

    def get_feature_names_out(self, input_features=None):
        return np.array(SIGNAL_FEATURES, dtype=object)

    def _row(self, text: str) -> list[float]:
        counts = [text.count(token) for token in SIGNALS]
        obscene = insult = threat = masked = 0
        for tok in lexicon.tokens(text):
            if "*" in tok:
                masked += 1
            if lexicon.is_obscene(tok):
                obscene += 1
            if lexicon.is_insult(tok):
                insult += 1
            if lexicon.is_threat(tok):
                threat += 1
        return [*counts, obscene, insult, threat, masked, min(text.count("!"), 10)]

    def transform(self, X: Iterable[str]):
        rows = [self._row(t) for t in X]
        data = np.log1p(np.asarray(rows, dtype=np.float64).reshape(-1, len(SIGNAL_FEATURES)))
        return sp.csr_matrix(data * self.scale)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


def build_features(*, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df: int = 2,
                   max_features: int | None = 200_000) -> FeatureUnion:
    """Word TF-IDF + character (within word) TF-IDF + signal counts, over normalised text."""
    return FeatureUnion([
        ("word", TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN, ngram_range=word_ngrams,
                                 min_df=min_df, sublinear_tf=True, lowercase=False,
                                 max_features=max_features, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, min_df=min_df,
                                 sublinear_tf=True, lowercase=False, max_features=max_features,
                                 dtype=np.float32)),
        ("signals", SignalCounter()),
    ])
