"""Why a label was flagged: each feature's contribution, on the spans the model scored.

For a linear model the contribution of feature ``f`` to label ``j`` is ``x_f * w_jf``. The
feature views list every occurrence of their terms with its span of normalised text (the
same terms that scoring counts, :mod:`moderation.classifier.features`); a contribution is
shared among its occurrences and spread over their characters, and summed per word (a
token of the analysis). A moderator sees at most a few words or phrases per label: those
that pushed it most, never a function word (``moderation.text.stopwords``) on its own,
mapped back to ``(start, end)`` of the comment as written
(:meth:`~moderation.classifier.analysis.Document.original_spans`), even when it was
disguised (``х.у.й.л.о`` or ``+38 067 ...`` highlight as one stretch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from moderation.text.stopwords import STOPWORDS

if TYPE_CHECKING:
    from moderation.classifier.model import ModerationModel


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


MAX_PHRASES = 3  # shown per label
MIN_WEIGHT = 0.25  # a word's net contribution to the label's log-odds, at least
MIN_SHARE = 0.2  # and at least this share of the strongest word's


def explain_text(model: ModerationModel, text: str, *, top: int = MAX_PHRASES
                 ) -> dict[str, list[Span]]:
    """For each flagged label, at most ``top`` words or phrases of ``text`` (spans of the
    original) that pushed it most; function words are never shown on their own."""
    doc, proba, contrib, start, end = contributions(model, text)
    thresholds = model.pipeline[-1].thresholds_
    tokens = doc.token_spans()
    result: dict[str, list[Span]] = {}
    for j, label in enumerate(model.labels):
        if proba[j] < thresholds[j]:
            continue
        char_score = np.zeros(len(doc.norm) + 1)
        for c, a, b in zip(contrib[j], start, end):
            if b > a:  # a term's weight, positive or negative, spread over its characters
                char_score[a:b] += c / (b - a)
        weights = [float(char_score[a:b].sum()) for a, b in tokens]
        result[label] = _phrases(doc, tokens, weights, top)
    return result


def _phrases(doc, tokens: list[tuple[int, int]], weights: list[float], top: int) -> list[Span]:
    """The strongest runs of words: each word of a run carries at least ``MIN_WEIGHT`` and
    ``MIN_SHARE`` of the best word's weight, except function words between two such words."""
    content = [not _is_function_word(t) for t in doc.tokens]
    best = max((w for w, c in zip(weights, content) if c), default=0.0)
    strong = [c and w >= MIN_WEIGHT and w >= MIN_SHARE * best for w, c in zip(weights, content)]
    runs: list[list[int]] = []
    for i, is_strong in enumerate(strong):
        if not is_strong:
            continue
        bridge = runs and runs[-1][-1] == i - 2 and not content[i - 1] and weights[i - 1] > 0
        if runs and (runs[-1][-1] == i - 1 or bridge):
            runs[-1] += [i - 1, i] if bridge else [i]
        else:
            runs.append([i])
    runs.sort(key=lambda run: -sum(weights[i] for i in run))
    chosen = runs[:top]
    where = doc.original_spans([tokens[run[0]][0] for run in chosen],
                               [tokens[run[-1]][1] for run in chosen])
    return [Span(a, b, doc.text[a:b], round(sum(weights[i] for i in run), 4))
            for run, (a, b) in zip(chosen, where) if b > a]


def _is_function_word(token: str) -> bool:
    return token in STOPWORDS or len(token) < 2
