"""Features over normalised text: word n-grams, character n-grams and counted signals."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation import lexicon
from moderation.normalize import SIGNALS

WORD_TOKEN_PATTERN = r"(?u)[\w*']+"
SIGNAL_FEATURES = (*SIGNALS, "obscene", "insult", "threat", "masked", "exclaim")


@lru_cache(maxsize=200_000)
def _token_kinds(tok: str) -> tuple[int, int, int, int]:
    """(obscene, insult, threat, masked) for one token; tokens repeat, so cached."""
    return (int(lexicon.is_obscene(tok)), int(lexicon.is_insult(tok)),
            int(lexicon.is_threat(tok)), int("*" in tok))


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
        counts = [text.count(token) if "_" in text else 0 for token in SIGNALS]
        hits = [0, 0, 0, 0]
        for tok in lexicon.tokens(text):
            for k, hit in enumerate(_token_kinds(tok)):
                hits[k] += hit
        return [*counts, *hits, min(text.count("!"), 10)]

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


class CharTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF of sklearn's ``char_wb`` n-grams, computed word by word with a cache.

    ``fit`` is a plain ``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)``; ``transform``
    gives the same matrix faster: char_wb n-grams never cross a word, so each distinct word
    is looked up once and its vocabulary indices are reused. The cache is not pickled.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 2,
                 max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, X, y=None):
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.ngram_range), min_df=self.min_df,
            max_features=self.max_features, sublinear_tf=True, lowercase=False, dtype=np.float32)
        self.vectorizer_.fit(X)
        self.idf_ = self.vectorizer_.idf_.astype(np.float32)
        self._cache = {}
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        return self.vectorizer_.get_feature_names_out()

    def _word(self, word: str) -> list[int]:
        vocab = self.vectorizer_.vocabulary_
        w = f" {word} "
        out = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            offset = 0
            grams = [w[0:n]]
            while offset + n < len(w):
                offset += 1
                grams.append(w[offset:offset + n])
            out.extend(vocab[g] for g in grams if g in vocab)
            if offset == 0:  # a short word counts once (as sklearn's char_wb does)
                break
        return out

    def transform(self, X):
        cache = self.__dict__.setdefault("_cache", {})
        if len(cache) > 500_000:
            cache.clear()
        indices: list[int] = []
        indptr = [0]
        for text in X:
            for word in text.split():  # as char_wb: n-grams never cross white space
                idx = cache.get(word)
                if idx is None:
                    idx = cache[word] = self._word(word)
                indices.extend(idx)
            indptr.append(len(indices))
        n = len(indptr) - 1
        counts = sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                               shape=(n, len(self.idf_)))
        counts.sum_duplicates()
        counts.data = (np.log(counts.data) + 1) * self.idf_[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.csr_matrix(sp.diags(1 / norms).dot(counts), dtype=np.float32)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cache", None)
        return state




def build_features(*, word_ngrams=(1, 2), char_ngrams=(2, 4), min_df: int = 2,
                   max_features: int | None = 200_000) -> FeatureUnion:
    """Word TF-IDF + character (within word) TF-IDF + signal counts, over normalised text."""
    return FeatureUnion([
        ("word", TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN, ngram_range=word_ngrams,
                                 min_df=min_df, sublinear_tf=True, lowercase=False,
                                 max_features=max_features, dtype=np.float32)),
        ("char", CharTfidf(ngram_range=char_ngrams, min_df=min_df, max_features=max_features)),
        ("signals", SignalCounter()),
    ])
