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


def join_runs_py(words: list, lengths: list[int], item: int = -1) -> list[str]:
    """``" ".join`` of each run of ``lengths[t]`` words, one run after another (with
    ``item``: the words are tuples, and their ``item``-th elements are joined)."""
    if item >= 0:
        words = [row[item] for row in words]
    if sum(lengths) > len(words) or min(lengths, default=0) < 0:
        raise ValueError("join_runs: lengths do not match words")
    out = []
    at = 0
    for k in lengths:
        out.append(" ".join(words[at:at + k]))
        at += k
    return out


def int_columns_py(rows: list[tuple], columns: tuple[int, ...]) -> list[bytes]:
    """For each column ``c``: the bytes of one native int64 per row, ``rows[r][c]``."""
    return [array("q", [row[c] for row in rows]).tobytes() for c in columns]


def char_wb_lookup_py(word: str, mapping: dict, min_n: int, max_n: int) -> list:
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


try:
    from moderation._speedups import (
        char_wb_lookup,
        fold_simple,
        int_columns,
        join_runs,
        split_lookup,
        token_ngram_scores,
        word_rows_scores,
    )
except ImportError:  # pragma: no cover - built without a C compiler
    token_ngram_scores = None  # features.WordTfidf then counts n-grams with numpy
    char_wb_lookup, fold_simple, join_runs = char_wb_lookup_py, fold_simple_py, join_runs_py
    split_lookup, int_columns = split_lookup_py, int_columns_py
    word_rows_scores = word_rows_scores_py
