"""Features over normalised text: word n-grams, character n-grams and counted signals."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation import lexicon
from moderation.normalize import SIGNALS, StatelessTextTransformer
from moderation.translit import is_latin_word, to_cyrillic

WORD_TOKEN_PATTERN = r"(?u)[\w*']+"
_WORD_TOKEN = re.compile(WORD_TOKEN_PATTERN)
SIGNAL_FEATURES = (*SIGNALS, "obscene", "insult", "threat", "masked", "exclaim")


@lru_cache(maxsize=200_000)
def _token_kinds(tok: str) -> tuple[int, int, int, int]:
    """(obscene, insult, threat, masked) for one token; tokens repeat, so cached. A Latin
    token is also read as transliterated Cyrillic (``suka``)."""
    reading = to_cyrillic(tok) if is_latin_word(tok) else tok
    return (int(lexicon.is_obscene(tok) or lexicon.is_obscene(reading)),
            int(lexicon.is_insult(tok) or lexicon.is_insult(reading)),
            int(lexicon.is_threat(tok) or lexicon.is_threat(reading)), int("*" in tok))


class SignalCounter(StatelessTextTransformer):
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


def _with_readings(texts):
    """Texts plus the Cyrillic reading of their Latin words (so the vocabulary has both)."""
    for text in texts:
        extra = [to_cyrillic(w) for w in text.split() if is_latin_word(w)]
        yield f"{text} {' '.join(extra)}" if extra else text


def _tfidf_rows(indices: list[int], indptr: list[int], idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear-tf TF-IDF rows with unit L2 norm from feature indices (as sklearn computes
    them with ``sublinear_tf=True, norm="l2"``), without sklearn's per-call checks."""
    n = len(indptr) - 1
    X = sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                      shape=(n, len(idf)))
    X.sum_duplicates()
    X.data = (np.log(X.data) + 1) * idf[X.indices]
    rows = np.repeat(np.arange(n), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(rows, weights=X.data.astype(np.float64) ** 2, minlength=n))
    norms[norms == 0] = 1
    X.data /= norms[rows].astype(np.float32)
    return X


class FastTfidf(TransformerMixin, BaseEstimator):
    """Base: ``fit`` is a plain ``TfidfVectorizer`` (vocabulary and idf); ``transform`` gives
    the same matrix from :meth:`_doc_indices` with far less per-call overhead."""

    def _vectorizer(self) -> TfidfVectorizer:
        raise NotImplementedError

    def _fit_texts(self, X):
        return X

    def fit(self, X, y=None):
        self.vectorizer_ = self._vectorizer().fit(self._fit_texts(X))
        self.idf_ = self.vectorizer_.idf_.astype(np.float32)
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        return self.vectorizer_.get_feature_names_out()

    def transform(self, X):
        indices: list[int] = []
        indptr = [0]
        for text in X:
            indices.extend(self._doc_indices(text))
            indptr.append(len(indices))
        return _tfidf_rows(indices, indptr, self.idf_)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cache", None)
        return state


class WordTfidf(FastTfidf):
    """Word n-gram TF-IDF (tokens: ``WORD_TOKEN_PATTERN``), identical to sklearn's."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN,
                               ngram_range=tuple(self.ngram_range), min_df=self.min_df, sublinear_tf=True, lowercase=False,
                               max_features=self.max_features, dtype=np.float32)

    def _doc_indices(self, text: str) -> list[int]:
        vocab = self.vectorizer_.vocabulary_
        tokens = _WORD_TOKEN.findall(text)
        out = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            grams = tokens if n == 1 else [" ".join(tokens[i:i + n])
                                           for i in range(len(tokens) - n + 1)]
            out.extend(vocab[g] for g in grams if g in vocab)
        return out


class CharTfidf(FastTfidf):
    """TF-IDF of sklearn's ``char_wb`` n-grams, computed word by word with a cache.

    char_wb n-grams never cross white space, so each distinct word is cut and looked up
    once. With ``translit``, a Latin word also counts the n-grams of its Cyrillic reading
    (``pidor`` -> ``підор``), so transliterated comments meet what Cyrillic ones taught.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 2,
                 max_features: int | None = None, translit: bool = True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.translit = translit

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.ngram_range),
                               min_df=self.min_df, max_features=self.max_features,
                               sublinear_tf=True, lowercase=False, dtype=np.float32)

    def _fit_texts(self, X):
        return _with_readings(X) if self.translit else X

    def fit(self, X, y=None):
        self._cache = {}
        return super().fit(X)

    def _word(self, word: str) -> list[int]:
        out = self._grams(word)
        if self.translit and is_latin_word(word):
            out.extend(self._grams(to_cyrillic(word)))
        return out

    def _grams(self, word: str) -> list[int]:
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

    def _doc_indices(self, text: str) -> list[int]:
        cache = self.__dict__.setdefault("_cache", {})
        if len(cache) > 500_000:
            cache.clear()
        out: list[int] = []
        for word in text.split():
            idx = cache.get(word)
            if idx is None:
                idx = cache[word] = self._word(word)
            out.extend(idx)
        return out


def build_features(*, word_ngrams=(1, 2), char_ngrams=(2, 4), min_df: int = 2,
                   max_features: int | None = 200_000) -> FeatureUnion:
    """Word TF-IDF + character (within word) TF-IDF + signal counts, over normalised text."""
    return FeatureUnion([
        ("word", WordTfidf(ngram_range=word_ngrams, min_df=min_df, max_features=max_features)),
        ("char", CharTfidf(ngram_range=char_ngrams, min_df=min_df, max_features=max_features)),
        ("signals", SignalCounter()),
    ])
