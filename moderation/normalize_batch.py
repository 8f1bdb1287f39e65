"""Fast exact ``normalize`` for many comments: each distinct word is normalised once.

After steps 1-3 (invisible characters, apostrophes, Unicode folding, which are fast), step 4
of :mod:`moderation.normalize` works inside white-space separated words, except for a few
patterns that can reach across a space:

* phone numbers and prices written in several groups (``067 123 45 67``, ``500 грн``,
  ``$ 100 .``, ``нуль шість сім ...``): neighbouring words that hold digits, number words,
  ``+`` or a currency, with words made only of ``( ) , . - – —`` between or after them;
* letters split by spaces (``с у к а``): a single-letter word between a word that ends in a
  letter standing alone (``т.д``, ``а``) and one that starts with one (``п.``, ``а``);
* promo codes (``промокод ABC``, ``купон: ABC``).

Each word is normalised once (cached, with the number of its normalised form in the shared
:class:`~moderation.words.WordIndex`) with flags for these cases. A batch is done at once:
steps 1-3 (:func:`~moderation.speedups.fold_simple` for text of simple characters), every
word of every text looked up in one call, and the texts whose words may meet found with
array operations on the flags. In those texts, each run of linked words is normalised
together as written (cached: "500 грн," repeats), the rest word by word, and the parts are
joined with one space. When a part leaves a changed edge with flags next to a word with
flags (``$100 5t я k я``: the price leaves ``t``), or words of different parts may now
meet, the whole comment is normalised at once. The result is the same string as
:func:`normalize` gives: tests compare both on every text of the corpora and on generated
text built from these cases.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate, chain
from operator import itemgetter

import numpy as np

from moderation.normalize import _NUM_WORD, _REPEAT, _prepare, _settle
from moderation.speedups import fold_simple, int_columns, join_runs, split_lookup
from moderation.words import WordBatch, WordIndex, current_index

# word flags
_NUM, _CUR, _SINGLE, _PROMO, _SEP, _LEFT, _RIGHT = 1, 2, 4, 8, 16, 32, 64
_NUM_OR_CUR, _JOINS_A_NUMBER = _NUM | _CUR, _NUM | _CUR | _SEP

_NUMERIC = re.compile(rf"[\d+]|(?<!\w){_NUM_WORD}(?!\w)")
_MULTIPLIER = r"(?:k|к|тис\.?|тыс\.?|млн)"
_CURRENCY = re.compile(
    rf"[$€₴]|^{_MULTIPLIER}?(?:\W|$)|^{_MULTIPLIER}?\s?(?:грн|гривень|гривні|гривня|гривен|"
    r"uah|usd|доларів|долларов|дол|баксів|баксов|євро|евро|eur|руб|р\.)")
_LETTER = re.compile(r"[^\W\d_]")
_ENDS_IN_LETTER = re.compile(r"(?<![^\W_])[^\W\d_]$")  # a lone letter at the end
_STARTS_WITH_LETTER = re.compile(r"^[^\W\d_](?![^\W_])")
_SEPARATOR = re.compile(r"[(),.\-–—]+")
_PROMO_WORD = re.compile(r"промо|promo|купон")
# letters of one script (parts after a hyphen of two or more), maybe in quotes or brackets,
# maybe with up to three stops after: step 4 leaves such a word as it is unless it has a
# letter three times in a row, a number word or a promo word (checked apart)
_PLAIN = re.compile(r"[(«\"]?(?:[а-яіїєґё]+(?:'[а-яіїєґё]+)*(?:-[а-яіїєґё]{2,}(?:'[а-яіїєґё]+)*)*"
                    r"|[a-z]+(?:-[a-z]{2,})*)[.,!?:;)»\"]{0,3}")
_TESTS = ((_NUM, _NUMERIC.search), (_CUR, _CURRENCY.search), (_SINGLE, _LETTER.fullmatch),
          (_LEFT, _ENDS_IN_LETTER.search), (_RIGHT, _STARTS_WITH_LETTER.match),
          (_PROMO, _PROMO_WORD.search))
_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than " " (str.split would cut it)

# word -> (normalised, flags, flags as a char, the number of the normalised word in the
# index), with the word index those numbers are in; replaced whole (with another index)
_STATE: tuple[dict[str, tuple[str, int, str, int]], WordIndex] = ({}, current_index())
_CACHE_LIMIT = 100_000  # words; then emptied
_PARTS: dict[str, str] = {}  # linked words as written ("500 грн,") -> step 4 of them


def _code_class(test) -> str:
    return "[" + "".join(chr(0x100 + f) for f in range(128) if test(f)) + "]"


# a text whose words' flags, one char each, do not match this has no links (``_runs``)
_MAY_LINK = re.compile(
    f"{_code_class(lambda f: f & _PROMO)}"
    f"|{_code_class(lambda f: f & _LEFT)}{_code_class(lambda f: f & _SINGLE)}"
    f"{_code_class(lambda f: f & _RIGHT)}"
    f"|{_code_class(lambda f: f & (_NUM | _CUR))}{_code_class(lambda f: f & _SEP)}*"
    f"{_code_class(lambda f: f & (_NUM | _CUR | _SEP))}")
_NORM, _CODE = itemgetter(0), itemgetter(2)


@lru_cache(maxsize=65_536)
def _flags(form: str) -> int:
    flags = 0
    for flag, test in _TESTS:
        if test(form):
            flags |= flag
    return flags


def _state() -> tuple[dict, WordIndex]:
    """The word cache and the index its numbers are in (a new cache for a new index)."""
    global _STATE
    state = _STATE
    index = current_index()
    if state[1] is not index:
        state = _STATE = ({}, index)
    return state


def _word(word: str, state: tuple[dict, WordIndex]) -> tuple[str, int, str, int]:
    """(normalised word, flags of the word as written and as normalised, the flags as a
    character, the number of the normalised word), cached in ``state``."""
    flags = _flags(word)
    if _PLAIN.fullmatch(word) and not flags & (_NUM | _PROMO) and not _REPEAT.search(word):
        norm = word  # step 4 changes nothing in it (most new words)
    elif len(word) <= 8 and word.isascii() and word.isdigit():
        norm = word  # a number alone: too short for a phone, no currency, no letters
    else:
        norm = _settle(word, None)[0]
        flags |= _flags(norm)
    if _SEPARATOR.fullmatch(word) and _SEPARATOR.fullmatch(norm):
        flags |= _SEP
    cache, index = state
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    # a word that normalises to no word or to several ("@handle," -> "_handle_ ,") has no
    # number: its text's words are looked up from the output
    number = index.number(norm) if norm.split() == [norm] else -1
    entry = cache[word] = (norm, flags, chr(0x100 + flags), number)
    return entry


_PROMO_AT = re.compile(_code_class(lambda f: f & _PROMO))
_SPLIT_AT = re.compile(f"(?={_code_class(lambda f: f & _LEFT)}{_code_class(lambda f: f & _SINGLE)}"
                       f"{_code_class(lambda f: f & _RIGHT)})")
# a run of numbers: a number or currency word, then number, currency or separator words (a
# separator word is never the start: it only carries a run on)
_NUMBER_RUN = re.compile(f"{_code_class(lambda f: f & _NUM_OR_CUR and not f & _SEP)}"
                         f"{_code_class(lambda f: f & (_NUM_OR_CUR | _SEP))}*")


def _runs(entries: list[tuple[str, int, str, int]]) -> list[tuple[int, int]] | None:
    """``(first, last)`` word of each run of words step 4 may reach across (None when it may
    nowhere): a promo word with the word before and the two after ("купон : ABC"); a lone
    letter between a word ending and one starting with a lone letter; a run of numbers up to
    its last separator (a price takes the dots and commas after it: "$100 . ,") or, when it
    holds a number, up to its last number or currency. Runs that share a word are one."""
    codes = "".join(map(_CODE, entries))
    if not _MAY_LINK.search(codes):
        return None
    spans = [(m.start() - 1, m.start() + 2) for m in _PROMO_AT.finditer(codes)]
    spans += [(m.start(), m.start() + 2) for m in _SPLIT_AT.finditer(codes)]
    for m in _NUMBER_RUN.finditer(codes):
        first, end = m.span()
        upto = last_number = first
        has_number = False
        for i in range(first, end):
            flags = ord(codes[i]) - 0x100
            if flags & _SEP:
                upto = i
            else:
                last_number = i
                has_number = has_number or bool(flags & _NUM)
        if has_number and last_number > upto:
            upto = last_number
        if upto > first:
            spans.append((first, upto))
    runs: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        first, last = max(first, 0), min(last, len(codes) - 1)
        if first >= last:
            continue
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(last, runs[-1][1]))
        else:
            runs.append((first, last))
    return runs


_WORDS = re.compile(r"\S+")


def _entries(words: list[str], state: tuple[dict, WordIndex],
             ) -> list[tuple[str, int, str, int]]:
    """The cache entry of every word (normalised and cached where new)."""
    get = state[0].get
    entries = list(map(get, words))
    if None in entries:
        for i, entry in enumerate(entries):
            if entry is None:
                entries[i] = get(words[i]) or _word(words[i], state)
    return entries


def _settled_part(words: str) -> str:
    """``_settle`` of a run of linked words, cached (prices and phones repeat)."""
    part = _PARTS.get(words)
    if part is None:
        if len(_PARTS) >= _CACHE_LIMIT:
            _PARTS.clear()
        part = _PARTS[words] = _settle(words, None)[0]
    return part


def _joined(text: str, entries: list[tuple[str, int, str, int]], state: tuple[dict, WordIndex],
            ) -> str:
    """``normalize`` of a prepared text whose words' entries (in ``state``) are ``entries``."""
    runs = _runs(entries)
    if not runs:
        return " ".join(map(_NORM, entries))
    # linked words are normalised together, as written (spaces included); the rest alone
    written = text.split()
    spans = None if "  " not in text and text[:1] != " " and text[-1:] != " " else \
        [m.span() for m in _WORDS.finditer(text)]
    parts = []
    for first, last in runs:
        as_written = " ".join(written[first:last + 1]) if spans is None else \
            text[spans[first][0]:spans[last][1]]
        part = _settled_part(as_written).split()
        if not part:  # nothing left (rare): no edges to reason about
            return _settle(text, None)[0]
        parts.append((first, last, part))
    # what a part leaves at its edge may meet its neighbour ("$100 5t я k я": the price
    # leaves "t", which the split letters after it take): a changed edge with flags next to
    # a word with flags (or a promo word, which reaches past its neighbour)
    edge_flags = {}  # word -> flags as written and as its part left it
    for first, last, part in parts:
        edge_flags[first] = entries[first][1] | _flags(part[0])
        edge_flags[last] = entries[last][1] | _flags(part[-1])
    for first, last, part in parts:
        for word, edge, neighbour in ((first, part[0], first - 1), (last, part[-1], last + 1)):
            new = 0 if edge == entries[word][0] else _flags(edge)
            if new and 0 <= neighbour < len(entries) and \
                    (new & _PROMO or edge_flags.get(neighbour, entries[neighbour][1])):
                return _settle(text, None)[0]
    norms = list(map(_NORM, entries))
    out: list[str] = []
    within = []  # (first, last) word of each part in ``out``
    done = 0
    for first, last, part in parts:
        out += norms[done:first]
        within.append((len(out), len(out) + len(part) - 1))
        out += part
        done = last + 1
    out += norms[done:]
    # words of different parts (or alone) that now may meet: the whole text at once
    for first, last in _runs(_entries(out, state)) or ():
        if not any(start <= first and last <= end for start, end in within):
            return _settle(text, None)[0]
    return " ".join(out)


def normalize_one(text: str) -> str:
    """``normalize(text)``, computed word by word where that is the same."""
    text = fold_simple([text])[0] or _prepare(text, None)[0]
    if _OTHER_SPACE.search(text):
        return _settle(text, None)[0]
    state = _state()
    return _joined(text, _entries(text.split(), state), state)


def _may_link(flags: np.ndarray, text_of: np.ndarray) -> set[int]:
    """The texts (indices) where ``_MAY_LINK`` matches the flags of their words: a promo
    word; a lone letter between two words that may hold one at their edges; a number or
    currency followed by a number, currency or separator. ``text_of[k]``: the text of word
    ``k``."""
    hits = [text_of[flags & _PROMO != 0]]
    if len(flags) >= 2:
        same = text_of[1:] == text_of[:-1]
        pair = same & (flags[:-1] & _NUM_OR_CUR != 0) & (flags[1:] & _JOINS_A_NUMBER != 0)
        hits.append(text_of[:-1][pair])
    if len(flags) >= 3:
        triple = (text_of[2:] == text_of[:-2]) & (flags[:-2] & _LEFT != 0) \
            & (flags[1:-1] & _SINGLE != 0) & (flags[2:] & _RIGHT != 0)
        hits.append(text_of[:-2][triple])
    return set(np.concatenate(hits).tolist())


def normalize_many(texts: Iterable[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, faster: the words of all texts are looked up at
    once, and only texts where words may meet (or with white space other than " ") take
    the slower path of :func:`normalize_one`."""
    return normalize_with_words(texts)[0]


def normalize_with_words(texts: Iterable[str], strings: bool = True,
                         ) -> tuple[list[str | None], WordBatch]:
    """:func:`normalize_many`, plus the words of the normalised texts as a
    :class:`~moderation.words.WordBatch` (with ``strings=False``, only the texts that had to
    be normalised as a whole or in parts have their string; the others are None)."""
    texts = list(texts)
    prepared = fold_simple(texts)
    unfolded = [i for i, text in enumerate(prepared) if text is None] if None in prepared else []
    for i in unfolded:
        prepared[i] = _prepare(texts[i], None)[0]
    state = _state()
    cache, index = state
    entries, lengths, missing = split_lookup(prepared, cache)
    for k, word in missing:
        entries[k] = cache.get(word) or _word(word, state)
    flags, ids = (np.frombuffer(b, dtype=np.int64) for b in int_columns(entries, (1, 3)))
    text_of = np.repeat(np.arange(len(prepared)), lengths)
    slow = _may_link(flags, text_of)
    # white space other than " " (after steps 1-3) only in texts fold_simple did not take
    slow.update(i for i in unfolded if _OTHER_SPACE.search(prepared[i]))
    out = join_runs(entries, lengths, 0) if strings else [None] * len(prepared)
    unnumbered = ids < 0
    respell = set(text_of[unnumbered].tolist()) if unnumbered.any() else set()
    if slow or respell:
        starts = [0, *accumulate(lengths)]
        order = sorted(slow | respell)
        for i in slow:
            text = prepared[i]
            out[i] = _settle(text, None)[0] if _OTHER_SPACE.search(text) \
                else _joined(text, entries[starts[i]:starts[i + 1]], state)
        for i in respell - slow:
            if out[i] is None:  # strings=False: this one's words come from its string
                out[i] = " ".join(map(_NORM, entries[starts[i]:starts[i + 1]]))
        # their words, numbered in one look-up, replace theirs in ``ids``
        own = [out[i].split() for i in order]
        own_ids = index.lookup(list(chain.from_iterable(own)))
        pieces, counts = [], list(lengths)
        done = taken = 0
        for i, words in zip(order, own):
            pieces += [ids[done:starts[i]], own_ids[taken:taken + len(words)]]
            counts[i] = len(words)
            taken += len(words)
            done = starts[i + 1]
        pieces.append(ids[done:])
        ids, lengths = np.concatenate(pieces), counts
    return out, WordBatch(index, ids, lengths)
