"""The white-space separated words of a batch of texts, numbered across batches.

Every feature of :mod:`moderation.features` is a sum over the words of a text, so each
transformer keeps one row per distinct word in an array (a "word table") and gets the rows
of a batch of texts with one sparse product. The rows are indexed by the numbers a
:class:`WordIndex` gives words: the first word it ever sees is 0, the next new one 1, and so
on. The index is shared by the transformers of a process and replaced by an empty one when
it holds more than ``LIMIT`` words (a batch keeps the index it was numbered with, so a
table is always read with the numbers it was filled with).

The normaliser already knows the words of its output (it caches the number of each word's
normalised form), so it hands the batch over (:func:`remember`): :func:`batch_of` then
does not split the texts again.
"""
from __future__ import annotations

import operator
import threading
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from moderation.speedups import get_all, split_lookup

LIMIT = 200_000  # words an index numbers before a new one starts


class WordIndex:
    """Words numbered in the order they are first seen."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.words)

    def _number(self, values: list, missing: list[tuple[int, str]]) -> np.ndarray:
        """``values`` (word numbers, None where ``missing`` has the word) as an array, the
        missing words numbered (new ones added)."""
        for k, word in missing:
            values[k] = self.number(word)
        return np.array(values, dtype=np.int64)

    def number(self, word: str) -> int:
        """The number of one word."""
        i = self.ids.get(word)
        if i is None:
            with self._lock:
                i = self.ids.get(word)
                if i is None:
                    i = len(self.words)
                    self.words.append(word)  # before the id is seen (other threads)
                    self.ids[word] = i
        return i

    def lookup(self, words: Sequence[str]) -> np.ndarray:
        """The number of every word."""
        return self._number(*get_all(words, self.ids))

    def lookup_texts(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """The numbers of the white-space separated words of all texts, one after another,
        and how many words each text has."""
        values, lengths, missing = split_lookup(texts, self.ids)
        return self._number(values, missing), lengths


_INDEX = WordIndex()
_INDEX_LOCK = threading.Lock()


def new_index() -> WordIndex:
    """Start a new, empty shared index (loading a model does: its tables would otherwise
    be filled for every word the old index holds, not only for the words it scores)."""
    global _INDEX
    with _INDEX_LOCK:
        _INDEX = WordIndex()
    return _INDEX


def current_index() -> WordIndex:
    """The shared index; an empty one once it holds more than ``LIMIT`` words."""
    global _INDEX
    if len(_INDEX) > LIMIT:
        with _INDEX_LOCK:
            if len(_INDEX) > LIMIT:
                _INDEX = WordIndex()
    return _INDEX


class WordBatch:
    """The words of a batch of texts: ``ids[indptr[t]:indptr[t + 1]]`` are the numbers of
    text ``t``'s words (in ``index``), in order; every number is below ``n_words``."""

    def __init__(self, index: WordIndex, ids: np.ndarray, lengths: Sequence[int]):
        self.index = index
        self.ids = ids
        self.n_words = len(index)
        self.n_texts = len(lengths)
        self.indptr = np.zeros(self.n_texts + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.indptr[1:])
        self._text_of_word: np.ndarray | None = None

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> WordBatch:
        index = current_index()
        texts = [text if type(text) is str else str(text) for text in texts]
        return cls(index, *index.lookup_texts(texts))

    @property
    def text_of_word(self) -> np.ndarray:
        """The text of every word occurrence."""
        if self._text_of_word is None:
            self._text_of_word = np.repeat(np.arange(self.n_texts), np.diff(self.indptr))
        return self._text_of_word

    def occurrences(self, n_columns: int) -> sp.csr_matrix:
        """Texts x word numbers, counts (repeated words add up in products)."""
        return sp.csr_matrix((np.ones(len(self.ids), dtype=np.float32), self.ids, self.indptr),
                             shape=(self.n_texts, n_columns))


_LAST = threading.local()


def remember(texts: Sequence[str], batch: WordBatch) -> None:
    """Note that ``texts`` (these very objects) are the texts of ``batch``: the next
    :func:`batch_of` of these texts in this thread returns it."""
    _LAST.value = (list(texts), batch)


def batch_of(texts: Sequence[str]) -> WordBatch:
    """:class:`WordBatch` of ``texts``. The transformers of one ``FeatureUnion`` get the same
    texts one after the other, so the last batch is reused (checked item by item)."""
    last = getattr(_LAST, "value", None)
    if last is not None:
        items, batch = last
        if len(items) == len(texts) and all(map(operator.is_, items, texts)):
            return batch
    batch = WordBatch.of_texts(texts)
    remember(texts, batch)
    return batch


def _room(buf: np.ndarray, used: int, extra: int) -> np.ndarray:
    """``buf`` or, when it has no room for ``extra`` more items, a copy twice as large."""
    if used + extra <= len(buf):
        return buf
    new = np.empty((max(2 * len(buf), used + extra, 1024), *buf.shape[1:]), dtype=buf.dtype)
    new[:used] = buf[:used]
    return new


class RaggedTable:
    """Per-word rows of integers of varying length, for the words of one index. ``state``
    is ``(rows filled, indptr, values)``, replaced whole (a reader sees one consistent
    state; new rows go past its end)."""

    def __init__(self, index: WordIndex):
        self.index = index
        self.lock = threading.Lock()
        self._indptr = np.zeros(1, dtype=np.int64)
        self._values = np.zeros(0, dtype=np.int32)
        self.state = (0, self._indptr[:1], self._values[:0])

    def filled(self, n_words: int, rows) -> tuple[int, np.ndarray, np.ndarray]:
        """The state with rows for at least the first ``n_words`` words (``rows(words)`` gives
        the rows of new ones)."""
        state = self.state
        if state[0] >= n_words:
            return state
        with self.lock:
            n = self.state[0]
            if n < n_words:
                new = rows(self.index.words[n:n_words])
                lengths = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
                end = int(self._indptr[n])
                total = int(lengths.sum())
                self._indptr = _room(self._indptr, n + 1, len(new))
                self._values = _room(self._values, end, total)
                np.cumsum(lengths, out=self._indptr[n + 1:n_words + 1])
                self._indptr[n + 1:n_words + 1] += end
                self._values[end:end + total] = np.fromiter(
                    chain.from_iterable(new), dtype=self._values.dtype, count=total)
                self.state = (n_words, self._indptr[:n_words + 1], self._values[:end + total])
            return self.state


class DenseTable:
    """Per-word rows of ``width`` numbers, for the words of one index (``state``: the rows
    filled so far)."""

    def __init__(self, index: WordIndex, width: int):
        self.index = index
        self.lock = threading.Lock()
        self._rows = np.zeros((0, width))
        self.state = self._rows[:0]

    def filled(self, n_words: int, rows) -> np.ndarray:
        state = self.state
        if len(state) >= n_words:
            return state
        with self.lock:
            n = len(self.state)
            if n < n_words:
                self._rows = _room(self._rows, n, n_words - n)
                self._rows[n:n_words] = rows(self.index.words[n:n_words])
                self.state = self._rows[:n_words]
            return self.state
