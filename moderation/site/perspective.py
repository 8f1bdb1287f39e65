"""Perspective API's ``comments:analyze``, answered with our model, for clients that speak it
(e.g. Coral Talk's Perspective integration pointed at this service).

Request: ``comment.text`` (plain text), ``requestedAttributes`` (``{NAME: {scoreType,
scoreThreshold}}``), ``languages``, ``doNotStore``, ``spanAnnotations``, ``clientToken``.
Response: ``attributeScores.<NAME>.summaryScore = {value, type: "PROBABILITY"}``, with
``spanScores`` (one per sentence, like Perspective's) when ``spanAnnotations`` is true,
``languages`` (the request's, else the detected ones), ``detectedLanguages`` and
``clientToken``. Errors carry Perspective's ``errorType``.

Attributes: our six labels in upper case, and three aliases where a label honestly covers
Perspective's meaning: ``TOXICITY`` (insult or improper: the higher of the two),
``INSULT`` (insult) and ``SPAM`` (advertising). ``THREAT``, ``PROFANITY``,
``IDENTITY_ATTACK`` and the rest are refused as unknown: ``improper`` also holds threats
and obscenity, but it is not either of them alone.

Unless ``doNotStore`` is true, the comment is stored and queued like ``POST /v1/comments``
(under ``clientToken`` as its id when given, else under ``sha256:`` and the text's hash),
and its stored scores are the answer. Offsets of spans count Unicode code points.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from moderation.errors import AnalyzeError
from moderation.queue.ingest import Scorer
from moderation.site.comments import Answer
from moderation.tables import Problem
from moderation.taxonomy import LABELS
from moderation.text.lang import guess_lang

SCORE_TYPE = "PROBABILITY"
ALIASES = {"TOXICITY": ("insult", "improper"), "INSULT": ("insult",), "SPAM": ("advertising",)}
ATTRIBUTES: dict[str, tuple[str, ...]] = {**{name.upper(): (name,) for name in LABELS},
                                          **ALIASES}
DETECTED = {"uk": ["uk"], "ru": ["ru"], "mixed": ["uk", "ru"], "translit": ["uk", "ru"]}
MAX_SPANS = 200
_SENTENCE = re.compile(r"[^.!?…\n]*(?:[.!?…]+|\n|$)")


@dataclass(frozen=True)
class Requested:
    name: str
    score_type: str | None = None
    score_threshold: float | None = None


def analyze(model: Scorer, *, text: str, text_type: str | None,
            requested: Sequence[Requested], languages: Sequence[str] | None,
            do_not_store: bool, span_annotations: bool, client_token: str | None,
            max_text_chars: int, save: Callable[[dict], Answer | Problem]) -> dict:
    """The Perspective response for one request; raises ``AnalyzeError``.

    ``save`` stores one comment (a dict of ``moderation.site.comments.FIELDS``) and answers
    it, as ``POST /v1/comments`` does; it is not called with ``do_not_store``.
    """
    _check(text, text_type, requested, max_text_chars)
    spans = sentence_spans(text) if span_annotations else []
    texts = [text[start:end] for start, end in spans]
    if do_not_store:
        scored = model.score([text, *texts]).rows()
        summary, span_scores = scored[0].scores, [s.scores for s in scored[1:]]
    else:
        result = save({"id": client_token or _text_id(text), "text": text})
        if isinstance(result, Problem):
            field = "clientToken" if result.field == "id" else "comment.text"
            raise AnalyzeError(result.reason, field=field)
        summary = result.scores
        span_scores = [s.scores for s in model.score(texts).rows()] if texts else []
    scores = {}
    for attribute in requested:
        value = attribute_score(attribute.name, summary)
        if attribute.score_threshold is not None and value < attribute.score_threshold:
            continue
        scores[attribute.name] = {"summaryScore": _score(value)}
        if span_annotations:
            scores[attribute.name]["spanScores"] = [
                {"begin": start, "end": end, "score": _score(attribute_score(attribute.name, s))}
                for (start, end), s in zip(spans, span_scores, strict=True)]
    detected = DETECTED[guess_lang(text)]
    out = {"attributeScores": scores, "languages": list(languages) if languages else detected,
           "detectedLanguages": detected}
    if client_token is not None:
        out["clientToken"] = client_token
    return out


def attribute_score(name: str, scores: Mapping[str, float]) -> float:
    return max(float(scores[label]) for label in ATTRIBUTES[name])


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(begin, end)`` of each sentence of ``text`` (at most ``MAX_SPANS``), blank space
    around it left out."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
        if len(spans) == MAX_SPANS:
            break
    return spans


def _check(text: str, text_type: str | None, requested: Sequence[Requested],
           max_text_chars: int) -> None:
    if text_type not in (None, "PLAIN_TEXT"):
        raise AnalyzeError("Currently, only 'PLAIN_TEXT' comments are supported",
                           field="comment.type")
    if not requested:
        raise AnalyzeError("Missing requested_attributes", error_type="NO_REQUESTED_ATTRIBUTES",
                           field="requestedAttributes")
    for attribute in requested:
        if attribute.name not in ATTRIBUTES:
            raise AnalyzeError(f"Unknown requested attribute: {attribute.name[:100]} (this "
                               f"service knows {', '.join(ATTRIBUTES)})",
                               field=f"requestedAttributes.{attribute.name[:100]}")
        if attribute.score_type not in (None, SCORE_TYPE):
            raise AnalyzeError(f"Requested score type {attribute.score_type[:50]} is not "
                               f"supported by attribute {attribute.name}",
                               field=f"requestedAttributes.{attribute.name}.scoreType")
    if not text.strip():
        raise AnalyzeError("Comment must be non-empty.", error_type="COMMENT_EMPTY",
                           field="comment.text")
    if len(text) > max_text_chars:
        raise AnalyzeError(f"Comment text too long: {len(text)} characters, the limit is "
                           f"{max_text_chars}", error_type="COMMENT_TOO_LONG",
                           field="comment.text")


def _score(value: float) -> dict:
    return {"value": round(float(value), 6), "type": SCORE_TYPE}


def _text_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
