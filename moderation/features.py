"""Features over normalised text: word n-grams, character n-grams and counted signals.

Every feature is a sum over the white-space separated words of a text (character n-grams
never cross white space, word and lexicon tokens hold none, placeholders neither). So each
transformer keeps one row per word in a table (:mod:`moderation.words`: rows computed once,
when a word is first seen) and gets the rows of a batch of texts with one sparse product,
``occurrences @ rows``. The matrices equal scikit-learn's (tests compare them).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from moderation import lexicon, speedups
from moderation.normalize import SIGNALS, StatelessTextTransformer
from moderation.speedups import (
    WordTable,
    dense_rows_scores,
    sublinear_tfidf,
    word_rows_scores,
)
from moderation.translit import is_latin_word, to_cyrillic
from moderation.words import DenseTable, RaggedTable, WordBatch, WordIndex, batch_of

WORD_TOKEN_PATTERN = speedups.TOKEN_PATTERN  # r"(?u)[\w*']+"
SIGNAL_FEATURES = (*SIGNALS, "obscene", "insult", "threat", "masked", "exclaim")


def _as_sequence(X) -> Sequence[str]:
    return X if isinstance(X, Sequence | np.ndarray) else list(X)


def _batch(X) -> WordBatch:
    """The words of ``X``: texts, or a :class:`WordBatch` already (the normaliser's)."""
    return X if isinstance(X, WordBatch) else batch_of(_as_sequence(X))


class _WordRows:
    """Mixin: a table of per-word rows (``_word_rows``) for the words of the current
    :class:`~moderation.words.WordIndex`, kept on the instance and never pickled."""

    def _new_table(self, index: WordIndex):
        return RaggedTable(index)

    def _table_state(self, batch: WordBatch):
        """The table's state with a row for every word of ``batch``."""
        table = self.__dict__.get("_rows")
        if table is None or table.index is not batch.index:
            table = self.__dict__["_rows"] = self._new_table(batch.index)
        return table.filled(batch.n_words, self._word_rows)

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the tables stay on this instance
        for key in [k for k in state if k.startswith(("_rows", "_tables"))]:
            state.pop(key)
        return state


# ---------------------------------------------------------------- signal counts
@lru_cache(maxsize=200_000)
def _token_kinds(tok: str) -> tuple[int, int, int, int]:
    """(obscene, insult, threat, masked) for one token; tokens repeat, so cached. A Latin
    token is also read as transliterated Cyrillic (``suka``)."""
    forms = [tok, to_cyrillic(tok)] if is_latin_word(tok) else [tok]
    forms = [form for form in forms if lexicon.is_any(form)]  # most tokens: none
    return (int(any(map(lexicon.is_obscene, forms))), int(any(map(lexicon.is_insult, forms))),
            int(any(map(lexicon.is_threat, forms))), int("*" in tok))


_NO_SIGNALS, _NO_HITS = (0,) * len(SIGNALS), (0, 0, 0, 0)
_CAPS = np.array([np.inf] * (len(SIGNAL_FEATURES) - 1) + [10.0])  # "!" counted up to ten


class SignalCounter(_WordRows, StatelessTextTransformer):
    """Counts of placeholder tokens, lexicon hits and ``!`` (up to ten) per text, as
    ``log1p`` values."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def get_feature_names_out(self, input_features=None):
        return np.array(SIGNAL_FEATURES, dtype=object)

    @staticmethod
    def _word_rows(words: list[str]) -> list[tuple[int, ...]]:
        """Per word: the counts of each placeholder, of lexicon hits of each kind and of
        ``!``."""
        rows = []
        for word in words:
            counts = tuple(map(word.count, SIGNALS)) if "_" in word else _NO_SIGNALS
            tokens = lexicon.tokens(word)
            if len(tokens) == 1:  # most words
                hits = _token_kinds(tokens[0])
            else:
                hits = tuple(map(sum, zip(*map(_token_kinds, tokens)))) if tokens else _NO_HITS
            rows.append((*counts, *hits, word.count("!")))
        return rows

    def _new_table(self, index: WordIndex):
        return DenseTable(index, len(SIGNAL_FEATURES))

    def transform(self, X: Iterable[str]):
        return sp.csr_matrix(self._values(X))

    n_columns = len(SIGNAL_FEATURES)

    def decision(self, X, coef_t: np.ndarray) -> np.ndarray:
        """``transform(X) @ coef_t`` (without the sparse matrix)."""
        batch = _batch(X)
        per_word = self._table_state(batch)
        out = np.empty((batch.n_texts, coef_t.shape[1]))
        dense_rows_scores(batch.indptr, batch.ids, per_word, _CAPS, float(self.scale),
                          np.ascontiguousarray(coef_t, dtype=np.float64), out)
        return out

    def _values(self, X) -> np.ndarray:
        """The features as a dense array (texts x ``SIGNAL_FEATURES``)."""
        batch = _batch(X)
        per_word = self._table_state(batch)
        counts = np.asarray(batch.occurrences(len(per_word)) @ per_word)
        counts = np.minimum(counts.reshape(-1, len(SIGNAL_FEATURES)), _CAPS)
        return np.log1p(counts) * self.scale


# ---------------------------------------------------------------- TF-IDF
def _with_readings(texts):
    """Texts plus the Cyrillic reading of their Latin words (so the vocabulary has both)."""
    for text in texts:
        extra = [to_cyrillic(w) for w in text.split() if is_latin_word(w)]
        yield f"{text} {' '.join(extra)}" if extra else text


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear-tf TF-IDF rows with unit L2 norm from a count matrix without repeated
    entries (as sklearn computes them with ``sublinear_tf=True, norm="l2"``), without
    sklearn's per-call checks. Columns stay in the order they come in (sorting them would
    cost more than the rest), so sums may differ from sklearn's in the last bit."""
    X, norms = sublinear_tfidf(counts, idf)
    X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
    return X


class FastTfidf(_WordRows, TransformerMixin, BaseEstimator):
    """Base: ``fit`` is a plain ``TfidfVectorizer`` (vocabulary and idf); ``transform`` gives
    the same matrix from per-word rows."""

    def _vectorizer(self) -> TfidfVectorizer:
        raise NotImplementedError

    def _fit_texts(self, X):
        return X

    def fit(self, X, y=None):
        self.__dict__.pop("_rows", None)
        self.__dict__.pop("_tables", None)
        self.vectorizer_ = self._vectorizer().fit(self._fit_texts(X))
        self.idf_ = self.vectorizer_.idf_.astype(np.float32)
        return self

    def fit_transform(self, X, y=None):
        X = _as_sequence(X)
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        return self.vectorizer_.get_feature_names_out()

    def transform(self, X):
        return _tfidf(self._counts(_batch(X)), self.idf_)

    @property
    def n_columns(self) -> int:
        return len(self.idf_)

    def decision(self, X, coef_t: np.ndarray) -> np.ndarray:
        """``transform(X) @ coef_t`` (the share of a linear model's scores that these
        features give), without building the normalised matrix."""
        unscaled, norms = sublinear_tfidf(self._counts(_batch(X)), self.idf_)
        return np.asarray(unscaled @ coef_t) / norms[:, None]

    def _counts(self, batch: WordBatch) -> sp.csr_matrix:
        """Texts x vocabulary, n-gram counts."""
        raise NotImplementedError


class WordTfidf(FastTfidf):
    """Word n-gram TF-IDF (tokens: ``WORD_TOKEN_PATTERN``), identical to sklearn's.

    Words of the vocabulary get integer ids; each distinct white-space word becomes the ids
    of its tokens (``-1`` for a token no n-gram of the vocabulary holds), and the n-grams of
    a batch are looked up as arrays of ids.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(token_pattern=WORD_TOKEN_PATTERN,
                               ngram_range=tuple(self.ngram_range), min_df=self.min_df,
                               sublinear_tf=True, lowercase=False,
                               max_features=self.max_features, dtype=np.float32)

    def _lookup_tables(self) -> dict:
        """Token ids and, per n, the sorted keys of the vocabulary's n-grams (the ids of their
        words in base ``len(ids) + 1``) with their columns."""
        tables = self.__dict__.get("_tables")
        if tables is not None:
            return tables
        terms = [(term.split(" "), column)
                 for term, column in self.vectorizer_.vocabulary_.items()]
        ids: dict[str, int] = {}
        for parts, _ in terms:
            for part in parts:
                ids.setdefault(part, len(ids))
        base = len(ids) + 1
        longest = max((len(parts) for parts, _ in terms), default=1)
        if base ** longest >= 2 ** 62:
            raise ValueError(f"{len(ids)} words in n-grams of up to {longest} words do not fit "
                             "64-bit keys; use a shorter ngram_range or a lower max_features")
        grams: dict[int, list[tuple[int, int]]] = {}
        for parts, column in terms:
            key = 0
            for part in parts:
                key = key * base + ids[part]
            grams.setdefault(len(parts), []).append((key, column))
        by_n = {}
        for n, pairs in grams.items():
            pairs.sort()
            by_n[n] = (np.array([k for k, _ in pairs], dtype=np.int64),
                       np.array([c for _, c in pairs], dtype=np.int64))
        # the column of each one-word n-gram by token id (the last slot, for id -1: none)
        unigrams = np.full(base, -1, dtype=np.int64)
        if 1 in by_n:
            unigrams[by_n[1][0]] = by_n[1][1]
        # the two-word n-grams whose first word is a: keys heads[a]..heads[a + 1] of by_n[2]
        keys = by_n.get(2, (np.zeros(0, dtype=np.int64),))[0]
        heads = np.searchsorted(keys, np.arange(base + 1, dtype=np.int64) * base).astype(np.int64)
        tables = self.__dict__["_tables"] = {"ids": ids, "base": base, "grams": by_n,
                                             "unigrams": unigrams, "heads": heads}
        return tables

    def decision(self, X, coef_t: np.ndarray) -> np.ndarray:
        lo, hi = self.ngram_range
        if speedups.token_ngram_scores is None or not 1 <= lo <= hi <= 2:
            return super().decision(X, coef_t)
        tables = self._lookup_tables()
        batch = _batch(X)
        _, indptr, tokens = self._table_state(batch)
        base = tables["base"]
        empty = (np.zeros(0, dtype=np.int64),) * 2
        unigrams = tables["unigrams"] if lo == 1 else np.full(base, -1, np.int64)
        keys, columns = tables["grams"].get(2, empty) if hi == 2 else empty
        heads = tables["heads"] if hi == 2 else np.zeros(base + 1, dtype=np.int64)
        out = np.empty((batch.n_texts, coef_t.shape[1]))
        speedups.token_ngram_scores(batch.indptr, batch.ids, indptr, tokens, unigrams, keys,
                                    columns, heads, base, self.idf_,
                                    np.ascontiguousarray(coef_t, dtype=np.float64), out)
        return out

    def _word_rows(self, words: list[str]) -> list[list[int]]:
        """Per word, the ids of its tokens (``-1``: in no n-gram of the vocabulary)."""
        tables = self._lookup_tables()
        if "token_table" not in tables:  # token -> (token, 0, id)
            table = tables["token_table"] = WordTable()
            for token, i in tables["ids"].items():
                table.add(token, (token, 0, i))
        return tables["token_table"].token_rows(words)

    def _counts(self, batch: WordBatch) -> sp.csr_matrix:
        tables = self._lookup_tables()
        _, indptr, flat = self._table_state(batch)
        # the token ids of every text, one after another, and the text each belongs to
        starts = indptr[batch.ids]
        occ_len = indptr[batch.ids + 1] - starts
        total = int(occ_len.sum())
        ends = np.cumsum(occ_len)
        pos = np.arange(total) - np.repeat(ends - occ_len - starts, occ_len)
        seq = flat[pos]
        text = np.repeat(batch.text_of_word, occ_len)

        rows, cols = [], []
        n_vocab = len(self.vectorizer_.vocabulary_)
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            if n not in tables["grams"] or len(seq) < n:
                continue
            if n == 1:
                columns = tables["unigrams"][seq]
                hit = columns >= 0
                rows.append(text[hit])
                cols.append(columns[hit])
                continue
            keys_n, columns_n = tables["grams"][n]
            m = len(seq) - n + 1
            key = np.zeros(m, dtype=np.int64)
            ok = np.ones(m, dtype=bool)
            for i in range(n):
                part = seq[i:i + m]
                ok &= (part >= 0) & (text[i:i + m] == text[:m])
                key = key * tables["base"] + part
            key, where = key[ok], text[:m][ok]
            at = np.minimum(np.searchsorted(keys_n, key), len(keys_n) - 1)
            hit = keys_n[at] == key
            rows.append(where[hit])
            cols.append(columns_n[at[hit]])
        rows_a = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols_a = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        return sp.csr_matrix((np.ones(len(rows_a), dtype=np.float32), (rows_a, cols_a)),
                             shape=(batch.n_texts, n_vocab))


class CharTfidf(FastTfidf):
    """TF-IDF of sklearn's ``char_wb`` n-grams, computed word by word.

    With ``translit``, a Latin word also counts the n-grams of its Cyrillic reading
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

    def _word_rows(self, words: list[str]) -> list[list[int]]:
        """Per word, the columns of its ``char_wb`` n-grams in the vocabulary (and of its
        Cyrillic reading, for a Latin word)."""
        lo, hi = self.ngram_range
        grams = self.__dict__.get("_tables")
        if grams is None:  # the vocabulary as a table of n-grams -> (gram, 0, column)
            grams = WordTable()
            for gram, column in self.vectorizer_.vocabulary_.items():
                grams.add(gram, (gram, 0, int(column)))
            self.__dict__["_tables"] = grams
        rows = grams.char_wb_rows(words, lo, hi)
        if self.translit:
            latin = [i for i, word in enumerate(words) if word.isascii() and is_latin_word(word)]
            if latin:
                readings = grams.char_wb_rows([to_cyrillic(words[i]) for i in latin], lo, hi)
                for i, reading in zip(latin, readings):
                    rows[i] += reading
        return rows

    def decision(self, X, coef_t: np.ndarray) -> np.ndarray:
        batch = _batch(X)
        _, indptr, columns = self._table_state(batch)
        out = np.empty((batch.n_texts, coef_t.shape[1]))
        word_rows_scores(batch.indptr, batch.ids, indptr, columns, self.idf_,
                         np.ascontiguousarray(coef_t, dtype=np.float64), out)
        return out

    def _counts(self, batch: WordBatch) -> sp.csr_matrix:
        n, indptr, columns = self._table_state(batch)
        per_word = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, indptr),
                                 shape=(n, len(self.idf_)))
        return batch.occurrences(n) @ per_word


def build_features(*, word_ngrams=(1, 2), char_ngrams=(2, 4), min_df: int = 2,
                   max_features: int | None = 200_000) -> FeatureUnion:
    """Word TF-IDF + character (within word) TF-IDF + signal counts, over normalised text."""
    return FeatureUnion([
        ("word", WordTfidf(ngram_range=word_ngrams, min_df=min_df, max_features=max_features)),
        ("char", CharTfidf(ngram_range=char_ngrams, min_df=min_df, max_features=max_features)),
        ("signals", SignalCounter()),
    ])
