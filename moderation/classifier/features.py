"""The feature views over analysed comments: word n-grams, character n-grams, signals.

Each view is a scikit-learn transformer of :class:`~moderation.classifier.analysis.Document`
objects, built on the terms that :mod:`moderation.classifier.analysis` cuts, in two ways:

- ``counts(docs)``: how often each column's term occurs in each document (scoring and
  fitting);
- ``occurrences(docs)``: every occurrence, with the span of normalised text it was cut
  from (explaining). Tests hold the two to the same terms.

``transform`` weighs the counts: TF-IDF with sublinear tf and unit L2 rows for the n-gram
views (as ``TfidfVectorizer(sublinear_tf=True)``), ``scale * log1p`` of capped counts for
the signals. Nothing is kept between calls (a batch is worked on in slices of about
``CHUNK_CHARS`` characters, so the arrays of one call stay bounded); every fitted attribute
ends in ``_``.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from moderation.classifier.analysis import (
    MARK_COLUMNS,
    SIGNAL_TERMS,
    CharStream,
    Document,
    char_ngrams,
    mark_positions,
    signal_table,
    signal_terms,
    word_ngram_spans,
    word_ngrams,
)

CHUNK_CHARS = 1 << 20  # characters of normalised text worked on at once
MAX_CHAR_N = 8  # keys of up to 8 characters fit 64 bits with an alphabet of 254


@dataclass(frozen=True)
class Occurrences:
    """Every occurrence of a column's term: its document and its span in that document's
    normalised text."""

    doc: np.ndarray
    column: np.ndarray
    start: np.ndarray
    end: np.ndarray


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def pair_counts(rows, columns, shape: tuple[int, int]) -> sp.csr_matrix:
    """Counts of (row, column) pairs as a CSR matrix in canonical form (sorted, summed)."""
    pairs, counts = np.unique(_ints(rows) * shape[1] + _ints(columns), return_counts=True)
    indptr = np.searchsorted(pairs, np.arange(shape[0] + 1) * shape[1])
    return sp.csr_matrix((counts.astype(np.float64), pairs % shape[1], indptr), shape=shape)


def sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Rows of ``(1 + log count) * idf``, each scaled to unit L2 norm (empty rows stay 0)."""
    counts = _canonical(counts)
    data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    return sp.csr_matrix((data / norms[rows], counts.indices, counts.indptr), shape=counts.shape)


def _canonical(matrix: sp.csr_matrix) -> sp.csr_matrix:
    if not matrix.has_canonical_format:
        matrix = matrix.tocsr(copy=True)
        matrix.sum_duplicates()
    return matrix


def smooth_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """scikit-learn's ``smooth_idf=True``: ``ln((1 + n) / (1 + df)) + 1``."""
    return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0


def select_terms(df: np.ndarray, tf: np.ndarray, *, min_df: int,
                 max_features: int | None) -> np.ndarray:
    """Indexes of the terms kept: document frequency at least ``min_df``, then the
    ``max_features`` most frequent (ties: the earlier index); in index order."""
    keep = np.flatnonzero(df >= min_df)
    if max_features is not None and len(keep) > max_features:
        order = np.lexsort((keep, -tf[keep]))[:max_features]
        keep = np.sort(keep[order])
    if not len(keep):
        raise ValueError("empty vocabulary: no term occurs in min_df documents; lower min_df "
                         "or train on more text")
    return keep


def chunks(docs: Sequence[Document]):
    """``docs`` in consecutive slices of about ``CHUNK_CHARS`` characters."""
    start, size = 0, 0
    for i, doc in enumerate(docs):
        if size > CHUNK_CHARS and i > start:
            yield docs[start:i]
            start, size = i, 0
        size += len(doc.norm) + 1
    yield docs[start:]


class _View(TransformerMixin, BaseEstimator):
    """What the views share: ``transform`` = ``weigh(counts)``, slicing a batch, and a
    refusal to use a vocabulary learned under other analysis parameters."""

    _analysis_params: tuple[str, ...] = ()

    def _fitted_with(self) -> dict:
        return {name: getattr(self, name) for name in self._analysis_params}

    def _check(self) -> None:
        check_is_fitted(self, "fitted_params_")
        if self.fitted_params_ != self._fitted_with():
            raise NotFittedError(f"{type(self).__name__} was fitted with {self.fitted_params_}; "
                                 f"its parameters are now {self._fitted_with()}: fit it again")

    @property
    def n_columns_(self) -> int:
        """How many columns ``transform`` gives."""
        self._check()
        return len(self.idf_)

    def counts(self, docs: Sequence[Document]) -> sp.csr_matrix:
        """Documents x columns: how often each column's term occurs."""
        self._check()
        parts = [self._counts(chunk) for chunk in chunks(docs)]
        return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]

    def occurrences(self, docs: Sequence[Document]) -> Occurrences:
        """Every occurrence of a column's term, with its span."""
        self._check()
        parts, offset = [], 0
        for chunk in chunks(docs):
            occ = self._occurrences(chunk)
            parts.append(Occurrences(occ.doc + offset, occ.column, occ.start, occ.end))
            offset += len(chunk)
        return Occurrences(*(np.concatenate([getattr(p, name) for p in parts])
                             for name in ("doc", "column", "start", "end")))

    def transform(self, X):
        return self.weigh(self.counts(X))

    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y).transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags


class _Ngrams(_View):
    """The n-gram views: TF-IDF of counts, a vocabulary with ``min_df``/``max_features``."""

    _analysis_params = ("ngram_range",)

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 max_features: int | None = None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return sublinear_tfidf(counts, self.idf_)


class WordNgrams(_Ngrams):
    """TF-IDF of word n-grams (tokens joined by a space); the vocabulary is sorted, as
    ``TfidfVectorizer``'s."""

    def fit(self, X: Sequence[Document], y=None):
        lo, hi = self.ngram_range
        df: Counter[str] = Counter()
        tf: Counter[str] = Counter()
        for doc in X:
            terms = word_ngrams(doc.tokens, lo, hi)
            tf.update(terms)
            df.update(set(terms))
        names = sorted(df)
        keep = select_terms(np.array([df[t] for t in names]), np.array([tf[t] for t in names]),
                            min_df=self.min_df, max_features=self.max_features)
        self.vocabulary_ = {names[i]: column for column, i in enumerate(keep)}
        self.idf_ = smooth_idf(np.array([df[names[i]] for i in keep], dtype=np.float64), len(X))
        self.fitted_params_ = self._fitted_with()
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        self._check()
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return names

    def _columns(self, doc: Document) -> list[int | None]:
        lo, hi = self.ngram_range
        return list(map(self.vocabulary_.get, word_ngrams(doc.tokens, lo, hi)))

    def _counts(self, docs):
        rows, columns = [], []
        for d, doc in enumerate(docs):
            found = [column for column in self._columns(doc) if column is not None]
            rows += [d] * len(found)
            columns += found
        return pair_counts(rows, columns, (len(docs), len(self.idf_)))

    def _occurrences(self, docs):
        lo, hi = self.ngram_range
        rows, columns, starts, ends = [], [], [], []
        for d, doc in enumerate(docs):
            where = word_ngram_spans(doc.token_spans(), lo, hi)
            for column, (start, end) in zip(self._columns(doc), where):
                if column is not None:
                    rows.append(d)
                    columns.append(column)
                    starts.append(start)
                    ends.append(end)
        return Occurrences(_ints(rows), _ints(columns), _ints(starts), _ints(ends))


class CharNgrams(_Ngrams):
    """TF-IDF of character n-grams within words (``char_wb``), of each word and of the
    Cyrillic reading of each Latin token, computed with array operations on a whole batch
    (:class:`~moderation.classifier.analysis.CharStream`).

    Fitting numbers the characters of the training text (``char_ids_``: code point ->
    number, 0 for a character never seen); an n-gram is a 64-bit key of its characters'
    numbers, and the vocabulary is the sorted array of kept keys (``keys_``), looked up
    with ``searchsorted``.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 2,
                 max_features: int | None = None):
        super().__init__(ngram_range, min_df, max_features)

    def _bounds(self) -> tuple[int, int]:
        lo, hi = (int(v) for v in self.ngram_range)
        if not 1 <= lo <= hi <= MAX_CHAR_N:
            raise ValueError(f"ngram_range {self.ngram_range!r} for character n-grams must "
                             f"satisfy 1 <= low <= high <= {MAX_CHAR_N}")
        return lo, hi

    def fit(self, X: Sequence[Document], y=None):
        lo, hi = self._bounds()
        seen: Counter[int] = Counter()
        for chunk in chunks(X):
            codes, counts = np.unique(CharStream.of(chunk).codes(), return_counts=True)
            seen.update(dict(zip(codes.tolist(), counts.tolist())))
        seen.pop(0, None)  # the unit separator
        seen[ord(" ")] = max(seen.values(), default=0) + 1  # the pad space is always known
        # base ** hi must stay below 2 ** 64: the most frequent characters get numbers
        # 1 .. base - 1, rarer ones count as never seen
        base = min(len(seen) + 1, int(2 ** (64 / hi) * (1 - 1e-9)))
        alphabet = sorted(sorted(seen, key=lambda c: (-seen[c], c))[:base - 1])
        self.char_ids_ = np.zeros(max(alphabet) + 2, dtype=np.uint16 if base <= 1 << 16
                                  else np.uint32)
        self.char_ids_[alphabet] = np.arange(1, len(alphabet) + 1)
        keys, df, tf = [], [], []
        for chunk in chunks(X):
            stream = CharStream.of(chunk)
            unit, _, _, k = self._grams(stream, lo, hi)
            distinct, key_id = np.unique(k, return_inverse=True)
            per_doc = _canonical(self._occurrence_matrix(stream, len(chunk)) @ pair_counts(
                unit, key_id, (len(stream.unit_len), len(distinct))))
            keys.append(distinct)
            df.append(np.bincount(per_doc.indices, minlength=len(distinct)))
            tf.append(np.asarray(per_doc.sum(axis=0)).ravel())
        keys, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        df = np.bincount(inverse, weights=np.concatenate(df)).astype(np.int64)
        tf = np.bincount(inverse, weights=np.concatenate(tf)).astype(np.int64)
        keep = select_terms(df, tf, min_df=self.min_df, max_features=self.max_features)
        self.keys_ = keys[keep]
        self.idf_ = smooth_idf(df[keep].astype(np.float64), len(X))
        self.fitted_params_ = self._fitted_with()
        return self

    @property
    def base_(self) -> int:
        return int(self.char_ids_.max()) + 1

    def _grams(self, stream: CharStream, lo: int, hi: int):
        """(unit, offset in the padded unit, length, key) of every n-gram of ``stream``."""
        codes = stream.codes()
        ids = self.char_ids_[np.minimum(codes, len(self.char_ids_) - 1)]
        space = int(self.char_ids_[ord(" ")])
        found = list(char_ngrams(ids, space, self.base_, lo, hi))
        at = np.concatenate([p for _, p, _ in found])
        unit = np.searchsorted(stream.unit_start, at, side="right") - 1
        return (unit, at - stream.unit_start[unit],
                np.concatenate([np.full(len(p), n) for n, p, _ in found]),
                np.concatenate([k for _, _, k in found]))

    @staticmethod
    def _occurrence_matrix(stream: CharStream, n_docs: int) -> sp.csr_matrix:
        """Documents x distinct units: how often each unit occurs in each document."""
        return pair_counts(stream.occ_doc, stream.occ_unit, (n_docs, len(stream.unit_len)))

    def _hits(self, stream: CharStream):
        """(unit, offset, length, column) of the n-grams of ``stream`` in the vocabulary."""
        unit, offset, size, keys = self._grams(stream, *self._bounds())
        column = np.minimum(np.searchsorted(self.keys_, keys), len(self.keys_) - 1)
        hit = self.keys_[column] == keys
        return unit[hit], offset[hit], size[hit], column[hit]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        self._check()
        chars = np.zeros(self.base_, dtype=np.int64)
        chars[self.char_ids_[self.char_ids_ > 0]] = np.flatnonzero(self.char_ids_)
        names = np.empty(len(self.keys_), dtype=object)
        for i, key in enumerate(self.keys_.tolist()):
            letters = []
            while key:
                key, digit = divmod(key, self.base_)
                letters.append(chr(chars[digit]))
            names[i] = "".join(reversed(letters))
        return names

    def _counts(self, docs):
        stream = CharStream.of(docs)
        unit, _, _, column = self._hits(stream)
        per_unit = pair_counts(unit, column, (len(stream.unit_len), len(self.keys_)))
        return self._occurrence_matrix(stream, len(docs)) @ per_unit

    def _occurrences(self, docs):
        stream = CharStream.of(docs)
        unit, offset, size, column = self._hits(stream)
        order = np.argsort(unit, kind="stable")
        unit, offset, size, column = unit[order], offset[order], size[order], column[order]
        first = np.searchsorted(unit, np.arange(len(stream.unit_len) + 1))
        # every occurrence of a unit repeats the unit's n-grams
        per_occ = first[stream.occ_unit + 1] - first[stream.occ_unit]
        occ = np.repeat(np.arange(len(stream.occ_unit)), per_occ)
        k = first[stream.occ_unit][occ] + np.arange(len(occ)) - np.repeat(
            np.cumsum(per_occ) - per_occ, per_occ)
        start, end, reading = CharStream.occurrence_spans(docs)
        # in the padded unit, offset 0 is the pad space and 1.. are its letters; a word's
        # n-gram covers its own letters, a reading's the whole Latin token
        raw = offset[k] - 1
        lo = start[occ] + np.maximum(raw, 0)
        hi = start[occ] + np.minimum(raw + size[k], stream.unit_len[unit[k]])
        return Occurrences(stream.occ_doc[occ], column[k],
                           np.where(reading[occ], start[occ], lo),
                           np.where(reading[occ], end[occ], hi))


class Signals(_View):
    """Counts of placeholders (``_phone_``...), lexicon hits of each kind, masked tokens and
    punctuation marks (``analysis.MARKS``: ``!``, counted up to ``max_marks``), as
    ``scale * log1p(count)``."""

    def __init__(self, scale: float = 1.0, max_marks: int = 10):
        self.scale = scale
        self.max_marks = max_marks

    def fit(self, X, y=None):
        self.fitted_params_ = {}
        return self

    @property
    def n_columns_(self) -> int:
        return len(SIGNAL_TERMS)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(SIGNAL_TERMS, dtype=object)

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = _canonical(counts)
        cap = np.where(np.isin(counts.indices, list(MARK_COLUMNS.values())), self.max_marks,
                       np.inf)
        data = self.scale * np.log1p(np.minimum(counts.data, cap))
        return sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)

    def _counts(self, docs):
        table = signal_table(docs)
        rows, columns = [], []
        for d, doc in enumerate(docs):
            found = [column for column, _ in signal_terms(doc, table)]
            found += [MARK_COLUMNS[mark] for mark in MARK_COLUMNS for _ in
                      range(doc.norm.count(mark))]
            rows += [d] * len(found)
            columns += found
        return pair_counts(rows, columns, (len(docs), len(SIGNAL_TERMS)))

    def _occurrences(self, docs):
        table = signal_table(docs)
        rows, columns, starts, ends = [], [], [], []
        for d, doc in enumerate(docs):
            found, where = signal_terms(doc, table), doc.token_spans()
            marks = mark_positions(doc)
            rows += [d] * (len(found) + len(marks))
            columns += [column for column, _ in found] + [column for column, _ in marks]
            starts += [where[i][0] for _, i in found] + [p for _, p in marks]
            ends += [where[i][1] for _, i in found] + [p + 1 for _, p in marks]
        return Occurrences(_ints(rows), _ints(columns), _ints(starts), _ints(ends))


def build_features(*, word_ngrams=(1, 2), char_ngrams=(2, 4), min_df: int = 2,
                   max_features: int | None = 200_000) -> FeatureUnion:
    """Word TF-IDF + character (within word) TF-IDF + signal counts."""
    return FeatureUnion([
        ("word", WordNgrams(ngram_range=word_ngrams, min_df=min_df, max_features=max_features)),
        ("char", CharNgrams(ngram_range=char_ngrams, min_df=min_df, max_features=max_features)),
        ("signals", Signals()),
    ])
