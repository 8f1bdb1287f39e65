"""Hot loops in C (``moderation/_speedups.c``, built at install when a C compiler is at hand)
with their pure Python twins, used when it is not. Both give the same results: the tests
compare them."""
from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp

from moderation.normalize import _SIMPLE_CHARS


def get_all(words: Sequence[str], mapping: dict) -> tuple[list, list[tuple[int, str]]]:
    """``mapping.get`` of every word, and ``(position, word)`` of those not there."""
    values = list(map(mapping.get, words))
    missing = [(k, words[k]) for k, v in enumerate(values) if v is None] if None in values else []
    return values, missing


# word tokens (the C twin of ``WordTable.token_rows`` cuts the same ones)
TOKEN_PATTERN = r"(?u)[\w*']+"
_TOKEN = re.compile(TOKEN_PATTERN)


def split_lookup_py(texts: Sequence[str], mapping: dict):
    """``(values, lengths, missing)``: ``mapping.get`` of every white-space separated word of
    every text, one after another; the number of words of each text; ``(position, word)``
    of each word not in ``mapping`` (its value is None)."""
    lists = [text.split() for text in texts]
    values, missing = get_all(list(chain.from_iterable(lists)), mapping)
    return values, list(map(len, lists)), missing


# characters that steps 1-3 of normalisation only lower (and a backtick): those of
# normalize._SIMPLE and emoji (tests check every one)
FOLDABLE = re.compile(f"[{_SIMPLE_CHARS}\U0001f300-\U0001faff]*")


def fold_simple_py(texts: Sequence[str]) -> list[str | None]:
    """Steps 1-3 of normalisation of each text made only of ``FOLDABLE`` characters, where
    they only lower the case and turn a backtick into an apostrophe; None for any other
    text."""
    return [text.lower().replace("`", "'") if FOLDABLE.fullmatch(text) else None
            for text in texts]


def char_wb_lookup(word: str, mapping: dict, min_n: int, max_n: int) -> list:
    """``mapping[gram]`` for every ``char_wb`` n-gram of the word that ``mapping`` holds, as
    scikit-learn cuts them: `` word `` padded; a padded word no longer than n counts once,
    whole, and ends it."""
    w = f" {word} "
    grams: list[str] = []
    for n in range(min_n, max_n + 1):
        if n >= len(w):
            grams.append(w)
            break
        grams += [w[i:i + n] for i in range(len(w) - n + 1)]
    return [c for c in map(mapping.get, grams) if c is not None]


def sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """``(1 + log(count)) * idf`` rows from a count matrix without repeated entries, and the
    L2 norm of each row (1 for an empty row)."""
    data = np.log(counts.data, dtype=np.float32)
    data += 1
    data *= idf[counts.indices]
    X = sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
    squares = np.zeros(len(data) + 1)  # one more: the sum of a last, empty row
    np.square(data, out=squares[:-1])
    starts = X.indptr[:-1]
    norms = np.sqrt(np.add.reduceat(squares, starts)) if len(starts) else np.zeros(0)
    norms[(starts == X.indptr[1:]) | (norms == 0)] = 1
    return X, norms


def word_rows_scores_py(text_indptr: np.ndarray, word_ids: np.ndarray, row_indptr: np.ndarray,
                        row_values: np.ndarray, idf: np.ndarray, coef: np.ndarray,
                        out: np.ndarray) -> None:
    """``out[:] =`` the share of a linear model's scores that TF-IDF features give (sublinear
    tf, L2-normalised rows), where text ``t`` is the words ``word_ids[text_indptr[t]:
    text_indptr[t + 1]]`` and word ``w`` the feature columns ``row_values[row_indptr[w]:
    row_indptr[w + 1]]``; ``coef``: columns x labels."""
    n_rows = len(row_indptr) - 1
    occurrences = sp.csr_matrix((np.ones(len(word_ids), dtype=np.float32), word_ids, text_indptr),
                                shape=(len(text_indptr) - 1, n_rows))
    rows = sp.csr_matrix((np.ones(len(row_values), dtype=np.float32), row_values, row_indptr),
                         shape=(n_rows, len(idf)))
    unscaled, norms = sublinear_tfidf(occurrences @ rows, idf)
    out[:] = np.asarray(unscaled @ coef) / norms[:, None]


class WordTablePy:
    """Words -> entries, tuples ``(normalised word, flags, number)``;
    a word's slot is its place in the order added. ``lookup`` looks up every word of many
    texts at once (the C twin without creating a string for a word the table holds)."""

    def __init__(self):
        self._slots: dict[str, int] = {}
        self._values: list[tuple[str, int, int]] = []

    def __len__(self) -> int:
        return len(self._values)

    def get(self, word: str):
        slot = self._slots.get(word)
        return None if slot is None else self._values[slot]

    def add(self, word: str, entry: tuple[str, int, int]) -> int:
        """The word's slot (a new one, with ``entry``, for a word not in the table)."""
        slot = self._slots.get(word)
        if slot is None:
            if not (type(entry) is tuple and len(entry) == 3 and isinstance(entry[0], str)
                    and isinstance(entry[1], int) and isinstance(entry[2], int)):
                raise TypeError("WordTable: an entry is a tuple (str, int, int)")
            slot = self._slots[word] = len(self._values)
            self._values.append(entry)
        return slot

    def lookup(self, texts: Sequence[str]) -> tuple[bytearray, bytearray, list]:
        """``(slots, lengths, missing)``: the slot of every white-space separated word of every
        text, one after another (-1: not in the table), and the number of words of each text,
        as native int64 bytes; ``(position, word)`` of each word not in the table."""
        values, lengths, missing = split_lookup_py(texts, self._slots)
        slots = [-1 if v is None else v for v in values]
        return bytearray(array("q", slots)), bytearray(array("q", lengths)), missing

    def _slots_of(self, slots) -> list[int]:
        items = array("q", bytes(slots)).tolist() if not isinstance(slots, np.ndarray) \
            else slots.astype(np.int64, copy=False).tolist()
        if any(not 0 <= s < len(self._values) for s in items):
            raise ValueError("WordTable: a slot is not in the table")
        return items

    def columns(self, slots) -> tuple[bytearray, bytearray]:
        """The flags and numbers of ``slots`` (int64 bytes)."""
        rows = [self._values[s] for s in self._slots_of(slots)]
        return (bytearray(array("q", [r[1] for r in rows])),
                bytearray(array("q", [r[2] for r in rows])))

    def token_rows(self, words: Sequence[str]) -> list[list[int]]:
        """For each word, the number of each of its tokens (``TOKEN_PATTERN``), -1 for a
        token the table does not hold."""
        get, values = self._slots.get, self._values
        return [[-1 if (s := get(token)) is None else values[s][2]
                 for token in _TOKEN.findall(word)] for word in words]

    def char_wb_rows(self, words: Sequence[str], min_n: int, max_n: int) -> list[list[int]]:
        """For each word, the numbers of its ``char_wb`` n-grams that the table holds (a table
        of n-grams: entries ``(gram, 0, column)``)."""
        if not 1 <= min_n <= max_n:
            raise ValueError("char_wb_rows: need 1 <= min_n <= max_n")
        values = self._values
        return [[values[s][2] for s in char_wb_lookup(word, self._slots, min_n, max_n)]
                for word in words]

    def norms(self, slots) -> list[str]:
        """The normalised words of ``slots``."""
        return [self._values[s][0] for s in self._slots_of(slots)]

    def join(self, slots, lengths) -> list[str]:
        """``" ".join`` of the normalised words of each run of ``lengths[t]`` slots."""
        words = [self._values[s][0] for s in self._slots_of(slots)]
        counts = array("q", bytes(lengths)).tolist() if not isinstance(lengths, np.ndarray) \
            else lengths.tolist()
        if sum(counts) > len(words) or min(counts, default=0) < 0:
            raise ValueError("WordTable.join: lengths do not match slots")
        out, at = [], 0
        for k in counts:
            out.append(" ".join(words[at:at + k]))
            at += k
        return out


# the flags of a word (``normalize_batch`` sets them; the C twin of ``link_runs`` has the same)
NUM, CUR, SINGLE, PROMO, SEP, LEFT, RIGHT = 1, 2, 4, 8, 16, 32, 64


def _may_link(flags: np.ndarray, text_of: np.ndarray) -> set[int]:
    """The texts (indices) that may have a run of ``link_runs``: a promo word; a lone letter
    between two words that may hold one at their edges; a number or currency followed by a
    number, currency or separator. ``text_of[k]``: the text of word ``k``."""
    hits = [text_of[flags & PROMO != 0]]
    if len(flags) >= 2:
        same = text_of[1:] == text_of[:-1]
        pair = same & (flags[:-1] & (NUM | CUR) != 0) & (flags[1:] & (NUM | CUR | SEP) != 0)
        hits.append(text_of[:-1][pair])
    if len(flags) >= 3:
        triple = (text_of[2:] == text_of[:-2]) & (flags[:-2] & LEFT != 0) \
            & (flags[1:-1] & SINGLE != 0) & (flags[2:] & RIGHT != 0)
        hits.append(text_of[:-2][triple])
    return set(np.concatenate(hits).tolist())


def _text_runs(f: list[int]) -> list[tuple[int, int]]:
    """The runs of one text whose words have flags ``f`` (see ``link_runs_py``)."""
    n = len(f)
    spans = []
    for k in range(n):
        if f[k] & PROMO:
            spans.append((k - 1, k + 2))
        if k + 2 < n and f[k] & LEFT and f[k + 1] & SINGLE and f[k + 2] & RIGHT:
            spans.append((k, k + 2))
    numeric = NUM | CUR | SEP
    k = 0
    while k < n:
        if not f[k] & numeric:
            k += 1
            continue
        end = k
        while end < n and f[end] & numeric:
            end += 1
        starts = [i for i in range(k, end) if f[i] & (NUM | CUR) and not f[i] & SEP]
        if starts:
            first = upto = last_number = starts[0]
            has_number = False
            for i in range(first, end):
                if f[i] & SEP:
                    upto = i
                else:
                    last_number = i
                    has_number = has_number or bool(f[i] & NUM)
            if has_number and last_number > upto:
                upto = last_number
            spans.append((first, upto))
        k = end
    return merged_runs([(max(a, 0), min(b, n - 1)) for a, b in spans])


def merged_runs(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans ``(first, last)`` in order, those that share a word merged; a span of one word
    (or none) is dropped."""
    runs: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if first >= last:
            continue
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(last, runs[-1][1]))
        else:
            runs.append((first, last))
    return runs


def link_runs_py(flags, lengths) -> tuple[bytearray, bytearray, bytearray]:
    """``(texts, firsts, lasts)``: the runs of words that step 4 of normalisation may reach
    across, in every text of a batch (text ``t``: the next ``lengths[t]`` words; ``flags``:
    each word's, int64). A span of linked words: a promo word with the word before and the
    two after; a lone letter between a word that may end in one and one that may start with
    one; in each longest stretch of number, currency or separator words, from its first
    number or currency word that is no separator up to its last separator or, when it holds
    a number, up to its last non-separator if that comes later. Spans are cut to the text
    and those that share a word merged; a single word is no run. Each run's text, first and
    last word (local to the text), in order, as int64 bytes."""
    flags = np.frombuffer(bytes(flags), dtype=np.int64) if not isinstance(flags, np.ndarray) \
        else flags.astype(np.int64, copy=False)
    lengths = np.frombuffer(bytes(lengths), dtype=np.int64) \
        if not isinstance(lengths, np.ndarray) else lengths.astype(np.int64, copy=False)
    if (lengths < 0).any() or lengths.sum() != len(flags):
        raise ValueError("link_runs: lengths do not match flags")
    starts = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    text_of = np.repeat(np.arange(len(lengths)), lengths)
    out: tuple[list[int], list[int], list[int]] = ([], [], [])
    for t in sorted(_may_link(flags, text_of)):
        for first, last in _text_runs(flags[starts[t]:starts[t + 1]].tolist()):
            out[0].append(t)
            out[1].append(first)
            out[2].append(last)
    return tuple(bytearray(array("q", column)) for column in out)


def dense_rows_scores_py(text_indptr: np.ndarray, word_ids: np.ndarray, rows: np.ndarray,
                         caps: np.ndarray, scale: float, coef: np.ndarray,
                         out: np.ndarray) -> None:
    """``out[:] =`` a linear model's scores of features that are sums of per-word rows: text
    ``t`` sums ``rows[w]`` over its words ``word_ids[text_indptr[t]:text_indptr[t + 1]]``,
    each column capped at ``caps``, then ``log1p(...) * scale``; ``coef``: columns x
    labels."""
    occurrences = sp.csr_matrix((np.ones(len(word_ids)), word_ids, text_indptr),
                                shape=(len(text_indptr) - 1, len(rows)))
    sums = np.minimum(np.asarray(occurrences @ rows).reshape(-1, len(caps)), caps)
    out[:] = (np.log1p(sums) * scale) @ coef


try:
    from moderation._speedups import (
        WordTable,
        dense_rows_scores,
        fold_simple,
        link_runs,
        split_lookup,
        token_ngram_scores,
        word_rows_scores,
    )
except ImportError:  # pragma: no cover - built without a C compiler
    token_ngram_scores = None  # features.WordTfidf then counts n-grams with numpy
    fold_simple = fold_simple_py
    split_lookup = split_lookup_py
    WordTable, link_runs = WordTablePy, link_runs_py
    word_rows_scores, dense_rows_scores = word_rows_scores_py, dense_rows_scores_py
