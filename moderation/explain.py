"""Why a label was flagged: per-feature contributions mapped back to the ORIGINAL text.

For a linear model the contribution of feature ``f`` to label ``j`` is ``x_f * w_jf``. Each
positive contribution is spread over the characters of the normalised text where that
feature occurs (a word n-gram, a character n-gram, a placeholder such as ``_phone_`` or a
lexicon hit), summed per word, and the best words are mapped back through the
normalisation map to ``(start, end)`` of the comment as written, even when it was disguised
(``х.у.й.л.о`` or ``+38 067 ...`` highlight as one stretch).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from moderation import lexicon
from moderation.features import WORD_TOKEN_PATTERN
from moderation.normalize import SIGNALS, normalize_with_map

if TYPE_CHECKING:
    from moderation.model import ModerationModel, Span

_WORD = re.compile(WORD_TOKEN_PATTERN)
_LEXICON_KIND = {"obscene": "obscene", "insult": "insult", "threat": "threat"}


def _feature_names(model: "ModerationModel") -> np.ndarray:
    cache = model.__dict__.setdefault("_explain_cache", {})
    if "names" not in cache:
        cache["names"] = model.pipeline.named_steps["features"].get_feature_names_out()
    return cache["names"]


def _occurrences(kind: str, value: str, norm: str, words: list[re.Match]) -> list[tuple[int, int]]:
    """Where a feature occurs in the normalised text, as (start, end) pairs."""
    if kind == "word":
        grams = value.split(" ")
        n = len(grams)
        out = []
        for i in range(len(words) - n + 1):
            if all(words[i + k].group() == grams[k] for k in range(n)):
                out.append((words[i].start(), words[i + n - 1].end()))
        return out
    if kind == "char":
        out = []
        core = value.strip(" ")
        if not core:
            return out
        for m in re.finditer(r"\S+", norm):
            padded = f" {m.group()} "
            pos = padded.find(value)
            while pos != -1:
                a = m.start() + max(pos - 1, 0)
                b = min(a + len(core), m.end())
                out.append((a, b))
                pos = padded.find(value, pos + 1)
        return out
    if kind == "signals":
        if value in SIGNALS:
            return [(m.start(), m.end()) for m in re.finditer(re.escape(value), norm)]
        if value in _LEXICON_KIND:
            return [(a, b) for a, b, k in lexicon.lexicon_spans(norm) if k == value]
        if value == "masked":
            return [(m.start(), m.end()) for m in lexicon._TOKEN.finditer(norm) if "*" in m.group()]
        if value == "exclaim":
            return [(m.start(), m.end()) for m in re.finditer("!+", norm)]
    return []


def explain_text(model: "ModerationModel", text: str, *, top: int = 8) -> dict[str, list["Span"]]:
    limit = model.pipeline.named_steps["normalize"].max_chars
    original = str(text)[:limit]
    norm, spans = normalize_with_map(original)
    features = model.pipeline.named_steps["features"]
    clf = model.pipeline.named_steps["clf"]
    x = features.transform([norm]).tocsr()
    x.sum_duplicates()
    proba = clf.predict_proba(x)[0]
    names = _feature_names(model)
    words = list(_WORD.finditer(norm))
    located: dict[int, list[tuple[int, int]]] = {}
    result: dict[str, list[Span]] = {}
    for j, label in enumerate(model.labels):
        if proba[j] < model.thresholds[label]:
            continue
        if not norm:
            result[label] = []
            continue
        contrib = x.data * clf.coef_[j, x.indices]
        char_score = np.zeros(len(norm))
        for k in np.flatnonzero(contrib > 0):
            f = int(x.indices[k])
            if f not in located:
                kind, _, value = str(names[f]).partition("__")
                located[f] = _occurrences(kind, value, norm, words)
            occ = located[f]
            if not occ:
                continue
            share = contrib[k] / len(occ)
            for a, b in occ:
                if b > a:
                    char_score[a:b] += share / (b - a)
        result[label] = _top_spans(original, norm, spans, char_score, top)
    return result


def _top_spans(original: str, norm: str, spans, char_score: np.ndarray, top: int) -> list["Span"]:
    from moderation.model import Span

    scored = []
    for m in re.finditer(r"\S+", norm):
        a, b = m.span()
        # trim punctuation around a word, keep placeholders and masked words whole
        inner = re.search(r"[\w*'@$]+(?:[\W_]*[\w*'@$]+)*", m.group())
        if inner:
            a, b = a + inner.start(), a + inner.end()
        score = float(char_score[a:b].sum())
        if score > 0:
            scored.append((score, a, b))
    if not scored:
        return []
    scored.sort(reverse=True)
    best = scored[0][0]
    chosen = sorted((a, b, s) for s, a, b in scored[:top] if s >= 0.15 * best)
    out: list[Span] = []
    for a, b, s in chosen:
        start, end = spans[a][0], spans[b - 1][1]
        if out and start <= out[-1].end:
            prev = out.pop()
            start, end, s = prev.start, max(end, prev.end), s + prev.weight
        out.append(Span(start, end, original[start:end], round(s, 4)))
    return sorted(out, key=lambda sp: -sp.weight)
