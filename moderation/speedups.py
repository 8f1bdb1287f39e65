"""Hot loops in C (``moderation/_speedups.c``, built at install when a C compiler is at hand)
with their pure Python twins, used when it is not. Both give the same results: the tests
compare them."""
from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain


def split_lookup_py(texts: Sequence[str], mapping: dict):
    """``(values, lengths, missing)``: ``mapping.get`` of every white-space separated word of
    every text, one after another; the number of words of each text; ``(position, word)``
    of each word not in ``mapping`` (its value is None)."""
    lists = [text.split() for text in texts]
    flat = list(chain.from_iterable(lists))
    values = list(map(mapping.get, flat))
    missing = [(k, flat[k]) for k, v in enumerate(values) if v is None] if None in values else []
    return values, list(map(len, lists)), missing


def lookup_ids_py(words: Sequence[str], mapping: dict) -> tuple[bytes, list[tuple[int, str]]]:
    """``(ids, missing)``: ``ids``, the bytes of one native int64 per word, ``mapping[word]``
    or -1 where it is not there; ``missing``, ``(position, word)`` of those."""
    values = list(map(mapping.get, words))
    missing = [(k, words[k]) for k, v in enumerate(values) if v is None] if None in values else []
    for k, _ in missing:
        values[k] = -1
    return array("q", values).tobytes(), missing


def fold_simple_py(texts: Sequence[str]) -> list[str | None]:
    """Steps 1-3 of normalisation of each text made only of the simple characters
    (``normalize._SIMPLE``), where they only lower the case and turn a backtick into an
    apostrophe; None for any other text."""
    from moderation.normalize import _SIMPLE

    return [text.lower().replace("`", "'") if _SIMPLE.fullmatch(text) else None
            for text in texts]


def join_runs_py(words: list[str], lengths: list[int]) -> list[str]:
    """``" ".join`` of each run of ``lengths[t]`` words, one run after another."""
    out = []
    at = 0
    for k in lengths:
        out.append(" ".join(words[at:at + k]))
        at += k
    return out


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


try:
    from moderation._speedups import (
        char_wb_lookup,
        fold_simple,
        join_runs,
        lookup_ids,
        split_lookup,
    )
except ImportError:  # pragma: no cover - built without a C compiler
    char_wb_lookup, fold_simple, join_runs = char_wb_lookup_py, fold_simple_py, join_runs_py
    lookup_ids, split_lookup = lookup_ids_py, split_lookup_py
