"""Why a label was flagged: each feature's contribution, on the spans the model scored.

For a linear model the contribution of feature ``f`` to label ``j`` is ``x_f * w_jf``. The
feature views list every occurrence of their terms with its span of normalised text (the
same ``occurrences`` call that scoring weights, :mod:`moderation.classifier.features`); a
positive contribution is shared among its occurrences and spread over their characters,
summed per word, and the best words are mapped back to ``(start, end)`` of the comment as
written (:meth:`~moderation.classifier.analysis.Document.original_spans`), even when it was
disguised (``х.у.й.л.о`` or ``+38 067 ...`` highlight as one stretch).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from moderation.classifier.model import ModerationModel

_WORD_CORE = re.compile(r"[\w*'@$]+(?:[\W_]*[\w*'@$]+)*")  # a word without its punctuation


@dataclass(frozen=True)
class Span:
    """A stretch of the ORIGINAL comment that pushed a label up."""

    start: int
    end: int
    text: str
    weight: float


def contributions(model: ModerationModel, text: str):
    """``(document, probabilities, per-occurrence contributions)`` of one comment.

    The contributions are a labels x occurrences array; the occurrences (columns of the
    whole feature union, with spans in the normalised text) are those every view found.
    """
    steps = model.pipeline.named_steps
    doc = steps["analyze"].transform([text])[0]
    union, clf = steps["features"], steps["clf"]
    X = union.transform([doc]).tocsr()
    X.sum_duplicates()
    proba = clf.predict_proba(X)[0]
    value = dict(zip(X.indices.tolist(), X.data.tolist()))
    columns, starts, ends = [], [], []
    offset = 0
    for _, view in union.transformer_list:
        occ = view.occurrences([doc])
        columns.append(occ.column + offset)
        starts.append(occ.start)
        ends.append(occ.end)
        offset += view.n_columns_
    column = np.concatenate(columns)
    start, end = np.concatenate(starts), np.concatenate(ends)
    distinct, inverse, counts = np.unique(column, return_inverse=True, return_counts=True)
    x = np.array([value.get(int(c), 0.0) for c in distinct])
    share = (x / counts)[inverse]  # a feature's value shared among its occurrences
    contrib = clf.coef_[:, column] * share
    return doc, proba, contrib, start, end


def explain_text(model: ModerationModel, text: str, *, top: int = 8) -> dict[str, list[Span]]:
    doc, proba, contrib, start, end = contributions(model, text)
    thresholds = model.pipeline[-1].thresholds_
    result: dict[str, list[Span]] = {}
    for j, label in enumerate(model.labels):
        if proba[j] < thresholds[j]:
            continue
        char_score = np.zeros(len(doc.norm))
        for c, a, b in zip(contrib[j], start, end):
            if c > 0 and b > a:
                char_score[a:b] += c / (b - a)
        result[label] = _top_spans(doc, char_score, top)
    return result


def _top_spans(doc, char_score: np.ndarray, top: int) -> list[Span]:
    scored = []
    for m in re.finditer(r"\S+", doc.norm):
        a, b = m.span()
        inner = _WORD_CORE.search(m.group())  # punctuation around a word is not the word
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
    where = doc.original_spans([a for a, _, _ in chosen], [b for _, b, _ in chosen])
    out: list[Span] = []
    for (start, end), (_, _, s) in zip(where, chosen):
        if out and start <= out[-1].end:
            prev = out.pop()
            start, end, s = prev.start, max(end, prev.end), s + prev.weight
        out.append(Span(start, end, doc.text[start:end], round(s, 4)))
    return sorted(out, key=lambda span: -span.weight)
