"""Text fingerprints for near-duplicate search: MinHash of character shingles, in bands.

Copy-paste campaigns post the same text with small edits (punctuation, a word added, case).
Each comment stores ``BANDS`` keys; two texts whose shingle sets have Jaccard similarity
``s`` share at least one key with probability ``1 - (1 - s**ROWS)**BANDS`` (0.98 at s=0.8,
0.40 at s=0.5), and the candidates are then checked exactly with ``jaccard``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import numpy as np

SHINGLE = 4
BANDS, ROWS = 8, 4
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# a fixed multiply-shift hash family, so keys stay comparable across processes and releases
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, 2**63, size=(BANDS * ROWS, 1), dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=(BANDS * ROWS, 1), dtype=np.uint64)


def normalise(text: str) -> str:
    """Case-folded NFKC text with every run of non-word characters made one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def shingles(text: str) -> frozenset[str]:
    """Character ``SHINGLE``-grams of the normalised text (the whole text if shorter)."""
    norm = normalise(text)
    if len(norm) <= SHINGLE:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


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
