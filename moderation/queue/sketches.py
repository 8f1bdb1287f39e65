"""Text fingerprints for near-duplicate search: MinHash of word pairs, in bands.

Copy-paste campaigns post the same text with edits: punctuation, case, a word added, a
greeting or first line of their own, the lines in another order, under other authors and
articles. Each line is cut into word pairs (bigrams; a one-word line is its word), so
moving a line keeps every shingle and a new first line only adds its own. Word pairs, not
character n-grams: two different comments on one topic share many character 4-grams
(endings, common words) but few word pairs.

Each comment stores ``BANDS`` keys; two texts whose shingle sets have Jaccard similarity
``s`` share at least one key with probability ``1 - (1 - s**ROWS)**BANDS``: 0.86 at
s=0.43 (the lowest Jaccard of a pair that reaches ``overlap`` 0.6), 0.96 at 0.5, 0.997 at
0.6, 0.17 at 0.2, 0.02 at 0.1. The candidates are then checked exactly with ``overlap``.

The keys are a versioned fact of the store: changing ``BANDS``, ``ROWS``, the hash family
or ``shingles`` needs a migration that recomputes ``comment_sketches`` (as 0007 did).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import numpy as np

BANDS, ROWS = 24, 3
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LINES = re.compile(r"[\r\n\u2028\u2029]+")
# a fixed multiply-shift hash family, so keys stay comparable across processes and releases
_rng = np.random.default_rng(20261207)
_A = _rng.integers(1, 2**63, size=(BANDS * ROWS, 1), dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=(BANDS * ROWS, 1), dtype=np.uint64)


def normalise(text: str) -> str:
    """Case-folded NFKC text with every run of non-word characters made one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def shingles(text: str) -> frozenset[str]:
    """The word pairs of each line of the normalised text (a one-word line: its word)."""
    grams: set[str] = set()
    for line in _LINES.split(text):
        words = normalise(line).split()
        if len(words) == 1:
            grams.add(words[0])
        grams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return frozenset(grams)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the larger set that the two have in common: ``|A∩B| / max(|A|, |B|)``.

    Unlike Jaccard it does not count a copy's own first line twice against it; unlike
    containment over the smaller set, a short comment quoted inside a long one scores low.
    """
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def band_keys(text: str) -> list[int]:
    """``BANDS`` signed 63-bit keys (one per band); empty for text with no word characters."""
    grams = shingles(text)
    if not grams:
        return []
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64,
                         count=len(grams))
    mins = ((_A * hashes + _B) >> np.uint64(32)).min(axis=1)  # wraps mod 2**64 on purpose
    keys = []
    for band in range(BANDS):
        chunk = mins[band * ROWS:(band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") >> 1)  # fits a signed BIGINT
    return keys
