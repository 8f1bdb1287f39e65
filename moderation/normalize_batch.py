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

Each word is normalised once (kept in a :class:`~moderation.speedups.WordTable`, with the
number of its normalised form in the shared :class:`~moderation.words.WordIndex`) with flags
for these cases. A batch is done at once: steps 1-3 (:func:`~moderation.speedups.fold_simple`
for text of simple characters), every word of every text looked up in one call, and the runs
of linked words of every text found from the flags in one call
(:func:`~moderation.speedups.link_runs`). In the texts with runs, each run is normalised
together as written (cached: "500 грн," repeats), the rest word by word, and the parts are
joined with one space. When a part leaves a changed edge with flags next to a word with
flags (``4428 грн. а``: the price leaves ``.``), the run takes that word in and is normalised
again. When words of different parts may now meet (checked for all those texts in one
call), or a part leaves a promo word at its edge, the whole comment is normalised at once.
The result is the same string as :func:`normalize` gives: tests compare both on every text
of the corpora and on generated text built from these cases.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate

import numpy as np

from moderation.normalize import _NUM_WORD, _REPEAT, _prepare, _settle
from moderation.speedups import CUR as _CUR
from moderation.speedups import LEFT as _LEFT
from moderation.speedups import NUM as _NUM
from moderation.speedups import PROMO as _PROMO
from moderation.speedups import RIGHT as _RIGHT
from moderation.speedups import SEP as _SEP
from moderation.speedups import SINGLE as _SINGLE
from moderation.speedups import WordTable, fold_simple, link_runs, merged_runs
from moderation.words import WordBatch, WordIndex, current_index

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

# a table of word -> (normalised word, flags, the number of the normalised word in the
# index), with the word index those numbers are in; replaced whole (a new, empty table) for
# another index or when it holds ``_CACHE_LIMIT`` words, never emptied in place: a batch
# keeps reading the slots it looked up
_STATE: tuple[WordTable, WordIndex] = (WordTable(), current_index())
_CACHE_LIMIT = 100_000  # words
# linked words as written ("500 грн,") -> the words step 4 makes of them, and their flags
_PARTS: dict[str, tuple[list[str], list[int]]] = {}
_GROWTHS = 4  # times the runs of a text may grow by a neighbour before it is done whole


@lru_cache(maxsize=65_536)
def _flags(form: str) -> int:
    flags = 0
    for flag, test in _TESTS:
        if test(form):
            flags |= flag
    return flags


def _state() -> tuple[WordTable, WordIndex]:
    """The word table and the index its numbers are in (a new table for a new index, or
    when it is full)."""
    global _STATE
    state = _STATE
    index = current_index()
    if state[1] is not index or len(state[0]) >= _CACHE_LIMIT:
        state = _STATE = (WordTable(), index)
    return state


def _word(word: str, state: tuple[WordTable, WordIndex]) -> tuple[str, int, int]:
    """(normalised word, flags of the word as written and as normalised, the number of the
    normalised word), added to the table of ``state``."""
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
    table, index = state
    # a word that normalises to no word or to several ("@handle," -> "_handle_ ,") has no
    # number: its text's words are looked up from the output
    number = index.number(norm) if norm.split() == [norm] else -1
    entry = (norm, flags, number)
    table.add(word, entry)
    return entry


def _entry(word: str, state: tuple[WordTable, WordIndex]) -> tuple[str, int, int]:
    """The table's entry of ``word`` (made and added when new)."""
    return state[0].get(word) or _word(word, state)


def _lookup(texts: Sequence[str], state: tuple[WordTable, WordIndex],
            ) -> tuple[np.ndarray, np.ndarray]:
    """The slots of the words of ``texts`` in the table (new words normalised and added),
    one after another, and the number of words of each text."""
    table = state[0]
    slots, lengths, missing = table.lookup(texts)
    slots, lengths = np.frombuffer(slots, dtype=np.int64), np.frombuffer(lengths, dtype=np.int64)
    for k, word in missing:
        slots[k] = table.add(word, _entry(word, state))
    return slots, lengths


def _runs_by_text(flags: np.ndarray, lengths: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    """``link_runs`` of a batch: text -> its runs ``(first, last)``."""
    texts, firsts, lasts = (np.frombuffer(b, dtype=np.int64).tolist()
                            for b in link_runs(flags, lengths))
    runs: dict[int, list[tuple[int, int]]] = {}
    for t, first, last in zip(texts, firsts, lasts):
        runs.setdefault(t, []).append((first, last))
    return runs


def _settled_part(words: str, state: tuple[WordTable, WordIndex],
                  ) -> tuple[list[str], list[int]]:
    """The words of ``_settle`` of a run of linked words, and their flags (as the table
    gives them), cached (prices and phones repeat)."""
    part = _PARTS.get(words)
    if part is None:
        if len(_PARTS) >= _CACHE_LIMIT:
            _PARTS.clear()
        out = _settle(words, None)[0].split()
        part = _PARTS[words] = (out, [_entry(w, state)[1] for w in out])
    return part


_WORDS = re.compile(r"\S+")


def _joined(text: str, norms: list[str], flags: list[int], runs: list[tuple[int, int]],
            state: tuple[WordTable, WordIndex],
            ) -> tuple[list[str], list[int], list[tuple[int, int]]] | None:
    """The words of ``normalize`` of a prepared text whose words normalise alone to
    ``norms``, with ``flags``, and whose linked words are ``runs``; with their flags (a
    word outside the runs: as written and normalised) and the first and last of them that
    each run gave. None when the text must be normalised whole."""
    # linked words are normalised together, as written (spaces included); the rest alone
    written = text.split()
    spans = None if "  " not in text and text[:1] != " " and text[-1:] != " " else \
        [m.span() for m in _WORDS.finditer(text)]
    found = set(runs)
    for _ in range(_GROWTHS):
        parts = []
        for first, last in runs:
            as_written = " ".join(written[first:last + 1]) if spans is None else \
                text[spans[first][0]:spans[last][1]]
            part, part_flags = _settled_part(as_written, state)
            if not part:  # nothing left (rare): no edges to reason about
                return None
            parts.append((first, last, part, part_flags))
        # what a part leaves at its edge may meet its neighbour ("$100 5t я k я": the price
        # leaves "t", which the split letters after it take): where a changed edge with
        # flags is next to a word with flags, the run takes that word in and is done again
        # (a promo word, which reaches past its neighbour: the whole text). The edges of a
        # run that grew count as changed: what is before them changed.
        edge_flags = {}  # word -> flags as written and as its part left it
        for first, last, part, _ in parts:
            edge_flags[first] = flags[first] | _flags(part[0])
            edge_flags[last] = flags[last] | _flags(part[-1])
        grown = []
        for first, last, part, _ in parts:
            grew = (first, last) not in found
            for word, edge, neighbour in ((first, part[0], first - 1),
                                          (last, part[-1], last + 1)):
                new = 0 if edge == norms[word] and not grew else _flags(edge)
                if new and 0 <= neighbour < len(norms) and \
                        (new & _PROMO or edge_flags.get(neighbour, flags[neighbour])):
                    if new & _PROMO:
                        return None
                    grown.append((min(first, neighbour), max(last, neighbour)))
        if not grown:
            break
        runs = merged_runs(runs + grown)
    else:
        return None
    out: list[str] = []
    out_flags: list[int] = []
    within = []  # (first, last) word of each part in ``out``
    done = 0
    for first, last, part, part_flags in parts:
        out += norms[done:first]
        out_flags += flags[done:first]
        within.append((len(out), len(out) + len(part) - 1))
        out += part
        out_flags += part_flags
        done = last + 1
    out += norms[done:]
    out_flags += flags[done:]
    return out, out_flags, within


def _check_meetings(out: list, prepared: list[str],
                    joined: dict[int, tuple[list[int], list[tuple[int, int]]]]) -> None:
    """Where words of different parts (or alone) in the joined texts (text -> the flags of
    the words of its ``out``, and the first and last word of each part in it) now may
    meet: the whole text at once."""
    order = list(joined)
    flags = np.fromiter((f for i in order for f in joined[i][0]), dtype=np.int64)
    lengths = np.array([len(joined[i][0]) for i in order], dtype=np.int64)
    for k, runs in _runs_by_text(flags, lengths).items():
        within = joined[order[k]][1]
        if any(not any(start <= first and last <= end for start, end in within)
               for first, last in runs):
            out[order[k]] = _settle(prepared[order[k]], None)[0]


def normalize_one(text: str) -> str:
    """``normalize(text)``, computed word by word where that is the same."""
    return normalize_with_words([text])[0][0]


def normalize_many(texts: Iterable[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, faster: the words of all texts are looked up at
    once, and only texts where words may meet (or with white space other than " ") take a
    slower path."""
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
    table, index = state
    slots, lengths = _lookup(prepared, state)
    flags, ids = (np.frombuffer(b, dtype=np.int64) for b in table.columns(slots))
    runs = _runs_by_text(flags, lengths)
    # white space other than " " (after steps 1-3) only in texts fold_simple did not take
    whole = {i for i in unfolded if _OTHER_SPACE.search(prepared[i])}
    out = table.join(slots, lengths) if strings else [None] * len(prepared)
    unnumbered = ids < 0
    respell = set(np.repeat(np.arange(len(prepared)), lengths)[unnumbered].tolist()) \
        if unnumbered.any() else set()
    redone = whole | set(runs)
    if not redone and not respell:
        return out, WordBatch(index, ids, lengths)
    starts = [0, *accumulate(lengths.tolist())]
    joined = {}
    for i in redone:
        text = prepared[i]
        a, b = starts[i], starts[i + 1]
        parts = None if i in whole else \
            _joined(text, table.norms(slots[a:b]), flags[a:b].tolist(), runs[i], state)
        if parts is None:
            out[i] = _settle(text, None)[0]
        else:
            out[i] = " ".join(parts[0])
            joined[i] = parts[1:]
    if joined:
        _check_meetings(out, prepared, joined)
    for i in respell - redone:
        if out[i] is None:  # strings=False: this one's words come from its string
            out[i] = table.join(slots[starts[i]:starts[i + 1]],
                                np.array([starts[i + 1] - starts[i]], dtype=np.int64))[0]
    # the words of these texts, numbered in one look-up, replace theirs in ``ids``
    order = sorted(redone | respell)
    own_ids, own_lengths = index.lookup_texts([out[i] for i in order])
    pieces, counts = [], lengths.tolist()
    done = taken = 0
    for i, n in zip(order, own_lengths):
        pieces += [ids[done:starts[i]], own_ids[taken:taken + n]]
        counts[i] = n
        taken += n
        done = starts[i + 1]
    pieces.append(ids[done:])
    return out, WordBatch(index, np.concatenate(pieces), counts)
