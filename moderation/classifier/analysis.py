"""One analysis of a comment for fitting, scoring and explaining: what the features see.

``Analyzer``, the pipeline's first step, turns each comment into a :class:`Document`: the
comment as scored (its first ``max_chars`` characters), its normalised text
(:func:`moderation.text.normalize.normalize`) and, cut here and nowhere else,

- ``words``: the runs of non-space characters of the normalised text, which character
  n-grams are cut from (as scikit-learn's ``char_wb``: each word padded with one space);
- ``tokens``: the matches of :data:`TOKEN` (word characters and ``*``, apostrophes only
  inside a word), which word n-grams, the lexicon and the placeholder counts see;
- ``readings``: the Cyrillic reading of each Latin token (``pidor`` -> ``підор``), which
  the character n-grams and the lexicon also see.

Every feature view (:mod:`moderation.classifier.features`) lists its terms as
*occurrences*: the column of the term with the ``(start, end)`` of the normalised text it
was cut from (:func:`word_ngrams`, :func:`char_ngrams`, :func:`signal_terms` below). Fitting
counts the occurrences, scoring weights them, and explaining spreads a label's weights
over their spans and maps the spans back to the ORIGINAL comment
(:meth:`Document.original_spans`, through the normalisation map). So the three cannot cut
text differently.

Nothing here keeps state between calls: a ``Document`` lives as long as the call that made
it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from moderation.errors import DataError
from moderation.text import lexicon
from moderation.text.normalize import SIGNALS, normalize, normalize_with_map
from moderation.text.translit import is_latin_word, to_cyrillic

# word characters and asterisks (masked letters: п*дар), apostrophes only inside a word
TOKEN = re.compile(r"[\w*]+(?:'[\w*]+)*")
# punctuation counted as signals (emotion, doubt): each mark's column name
MARKS = {"!": "exclaim"}
# the signal view's columns: placeholder counts, lexicon kinds, masked tokens, marks
SIGNAL_TERMS: tuple[str, ...] = (*SIGNALS, *lexicon.KINDS, "masked", *MARKS.values())
_SIGNAL_COLUMN = {name: i for i, name in enumerate(SIGNAL_TERMS)}
_KIND_COLUMNS = {kind: _SIGNAL_COLUMN[kind] for kind in lexicon.KINDS}


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """A comment as the features see it. Spans are ``(start, end)`` in ``norm`` unless
    mapped with :meth:`original_spans`."""

    text: str  # the comment as scored: its first max_chars characters
    norm: str  # normalize(text)
    tokens: tuple[str, ...]
    readings: tuple[tuple[int, str], ...]  # (token index, Cyrillic reading) of Latin tokens

    @property
    def words(self) -> list[str]:
        return self.norm.split(" ") if self.norm else []

    def word_spans(self) -> list[tuple[int, int]]:
        spans, pos = [], 0
        for word in self.words:
            spans.append((pos, pos + len(word)))
            pos += len(word) + 1
        return spans

    def token_spans(self) -> list[tuple[int, int]]:
        """Where each token is in ``norm`` (the same matches as ``tokens``)."""
        return [m.span() for m in TOKEN.finditer(self.norm)]

    def original_spans(self, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
        """Spans of ``norm`` -> spans of ``text`` (a placeholder or a rejoined word maps to
        everything it came from, e.g. the whole of ``0 6 7 1 2 3 4 5 6 7``)."""
        norm, where = normalize_with_map(self.text)
        if norm != self.norm:  # cannot happen: one engine makes both
            raise RuntimeError("the normalisation map disagrees with the normalised text")
        out = []
        for a, b in zip(starts, ends):
            a, b = max(int(a), 0), min(int(b), len(where))
            # min/max: a comment shown right to left has its characters stored backwards
            out.append((min(s for s, _ in where[a:b]), max(e for _, e in where[a:b]))
                       if b > a else (0, 0))
        return out


def analyze(text: str, *, max_chars: int, readings: dict[str, str | None] | None = None
            ) -> Document:
    """The :class:`Document` of one comment. ``readings`` may carry the Cyrillic readings
    of Latin tokens already worked out in the same call (``None`` for a token that has none)."""
    text = text[:max_chars]
    norm = normalize(text)
    tokens = tuple(TOKEN.findall(norm))
    known = {} if readings is None else readings
    found = []
    for i, token in enumerate(tokens):
        if token.isascii():
            if token not in known:
                known[token] = to_cyrillic(token) if is_latin_word(token) else None
            if known[token] is not None:
                found.append((i, known[token]))
    return Document(text, norm, tokens, tuple(found))


class Analyzer(TransformerMixin, BaseEstimator):
    """Pipeline step: comments -> :class:`Document` objects. Learns nothing.

    ``max_chars`` cuts very long comments before normalising (a 1 MB comment is scored on
    its first ``max_chars`` characters).
    """

    def __init__(self, max_chars: int = 20_000):
        self.max_chars = max_chars

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """An object array of documents (object arrays index like the texts they came from)."""
        texts = as_texts(X)
        out = np.empty(len(texts), dtype=object)
        readings: dict[str, str | None] = {}  # this call's Latin tokens, each read once
        out[:] = [analyze(text, max_chars=self.max_chars, readings=readings) for text in texts]
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


def as_texts(X: Iterable[str]) -> list[str]:
    """A list of ``str``; ``DataError`` naming the row of a missing text."""
    if isinstance(X, str):
        raise TypeError("pass a list of texts (for one comment: [text])")
    texts = list(X)
    if all(type(t) is str for t in texts):  # the usual case, checked in one pass
        return texts
    out = []
    for i, t in enumerate(texts):
        if t is None or (isinstance(t, float) and t != t):
            raise DataError("text is empty (None/NaN)", row=i, field="text")
        out.append(str(t))
    return out


# ---------------------------------------------------------------- the three views' terms


def word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    """Every word n-gram (``lo <= n <= hi``, tokens joined by one space), by ``n`` and then
    by first token: the order :func:`word_ngram_spans` gives their spans in."""
    terms: list[str] = []
    for n in range(lo, hi + 1):
        if n == 1:
            terms += tokens
        elif n == 2:
            terms += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        else:
            terms += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return terms


def word_ngram_spans(token_spans: Sequence[tuple[int, int]], lo: int, hi: int
                     ) -> list[tuple[int, int]]:
    """The spans of :func:`word_ngrams`'s n-grams, in its order."""
    spans: list[tuple[int, int]] = []
    for n in range(lo, hi + 1):
        spans += [(token_spans[i][0], token_spans[i + n - 1][1])
                  for i in range(len(token_spans) - n + 1)]
    return spans


@dataclass(frozen=True)
class CharStream:
    """The character n-gram units of a batch, each distinct one laid out once in a string.

    A document's units are its words, then the readings of its Latin tokens; a unit that
    occurs many times in a batch (``і``, ``що``) is cut once and counted per occurrence.
    The stream is ``" u1 \\x00 u2 \\x00 ... un "``: each distinct unit padded with one
    space as ``char_wb`` does, ``\\x00`` between units, so an n-gram lies inside one padded
    unit exactly when it holds no ``\\x00`` and no space except at its two ends.
    """

    text: str
    unit_start: np.ndarray  # position of each distinct unit's leading pad space in ``text``
    unit_len: np.ndarray
    occ_doc: np.ndarray  # per occurrence of a unit, in document order: its document
    occ_unit: np.ndarray  # and its unit

    @classmethod
    def of(cls, docs: Sequence[Document]) -> CharStream:
        index: dict[str, int] = {}
        add = index.setdefault
        occurrences: list[int] = []
        per_doc = np.zeros(len(docs), dtype=np.int64)
        for d, doc in enumerate(docs):
            before = len(occurrences)
            occurrences += [add(word, len(index)) for word in doc.words]
            occurrences += [add(reading, len(index)) for _, reading in doc.readings]
            per_doc[d] = len(occurrences) - before
        units = list(index)
        lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
        starts = np.zeros(len(units), dtype=np.int64)
        np.cumsum(lengths[:-1] + 3, out=starts[1:])
        return cls(" " + " \x00 ".join(units) + " " if units else "", starts, lengths,
                   np.repeat(np.arange(len(docs)), per_doc),
                   np.asarray(occurrences, dtype=np.int64))

    def codes(self) -> np.ndarray:
        """Unicode code points of ``text`` (lone surrogates as their own values)."""
        return np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    @staticmethod
    def occurrence_spans(docs: Sequence[Document]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each occurrence's ``(start, end)`` in its document's ``norm`` (a reading: its
        token's), and whether it is a reading; in the order of ``occ_unit``."""
        starts, ends, reading = [], [], []
        for doc in docs:
            words = doc.word_spans()
            starts += [a for a, _ in words]
            ends += [b for _, b in words]
            reading += [False] * len(words)
            if doc.readings:
                tokens = doc.token_spans()
                starts += [tokens[i][0] for i, _ in doc.readings]
                ends += [tokens[i][1] for i, _ in doc.readings]
                reading += [True] * len(doc.readings)
        return (np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64),
                np.asarray(reading, dtype=bool))


def char_ngrams(ids: np.ndarray, space: int, base: int, lo: int, hi: int
                ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(n, positions, keys)`` of the character n-grams of a stream, ``lo <= n <= hi``.

    ``ids`` are the stream's characters as numbers ``1 .. base - 1`` (0: the unit
    separator, or a character the vocabulary never saw), ``space`` the number of the pad
    space. A key is the n-gram's numbers read as digits in ``base``; keys of different
    lengths never meet (no digit is 0). An n-gram counts when none of its characters is 0
    and none inside it (all but its two ends) is a space: it lies within one padded unit.
    """
    wide = ids.astype(np.uint64)
    known = ids != 0
    inner = ids != space
    keys, ok = wide, known
    for n in range(1, hi + 1):
        if n > 1:
            keys = keys[:-1] * np.uint64(base) + wide[n - 1:]
            ok = ok[:-1] & known[n - 1:]
            if n > 2:
                ok &= inner[n - 2:-1]
        if n >= lo:
            at = np.flatnonzero(ok)
            yield n, at, keys[at]


def signal_table(docs: Sequence[Document]) -> dict[str, tuple[int, ...]]:
    """The signal columns of every distinct token and reading of a batch (each worked out
    once per call): a placeholder's own column, else the columns of its lexicon kinds and
    ``masked`` for a token holding ``*``."""
    distinct = {token for doc in docs for token in doc.tokens}
    distinct.update(reading for doc in docs for _, reading in doc.readings)
    table = {}
    for token in distinct:
        column = _SIGNAL_COLUMN.get(token)
        if column is not None:
            table[token] = (column,)
            continue
        columns = tuple(_KIND_COLUMNS[kind] for kind in lexicon.kinds(token))
        table[token] = (*columns, MASKED_COLUMN) if "*" in token else columns
    return table


def signal_terms(doc: Document, table: dict[str, tuple[int, ...]]) -> list[tuple[int, int]]:
    """``(column of SIGNAL_TERMS, token index)`` of every placeholder, lexicon hit and masked
    token of ``doc``; a Latin token also counts the lexicon kinds of its reading (once per
    kind). Marks (``!``, ``?``) have no token: see :func:`mark_positions`."""
    found = [(column, i) for i, token in enumerate(doc.tokens) for column in table[token]]
    for i, reading in doc.readings:
        have = {column for column, at in found if at == i}
        found += [(column, i) for column in table[reading]
                  if column in _KIND_COLUMNS.values() and column not in have]
    return found


def mark_positions(doc: Document) -> list[tuple[int, int]]:
    """``(column of SIGNAL_TERMS, position)`` of every counted punctuation mark."""
    return [(MARK_COLUMNS[m.group()], m.start()) for m in _MARK.finditer(doc.norm)]


MARK_COLUMNS = {mark: _SIGNAL_COLUMN[name] for mark, name in MARKS.items()}
_MARK = re.compile("|".join(map(re.escape, MARKS)))
MASKED_COLUMN = _SIGNAL_COLUMN["masked"]
