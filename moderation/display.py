"""How user-written text and the model's figures look on a page or in a file.

User text (comments, authors, titles, notes) is untrusted: ``md_escape`` makes any string
render literally in Markdown (no HTML, no Markdown, no LaTeX, no automatic links, and
bidirectional controls shown as marks such as ``⟦RLO⟧``, not applied); ``highlighted_markdown``
marks the model's trigger words inside an escaped comment; ``csv_bytes`` neutralises
spreadsheet formulas in exported cells. ``label_rows``, ``titles`` and
``flag_quality_frame`` put labels in the moderators' words; ``duration_uk`` says how long
something has waited. No Streamlit here.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from moderation.taxonomy import BY_NAME, LABEL_DEFS, LABELS
from moderation.text import bidi

_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_LEADING_SPACES = re.compile(r"^[ \t]+", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# GFM's autolink literals (remark-gfm, in the parser and again on the parsed text) need
# ``http:``/``https:``, ``www.`` or ``name@domain.tld`` written without a break, and a
# backslash escape does not count as one. An invisible WORD JOINER before every ``:``, ``.``
# and ``@`` of user text breaks all three forms without changing what the reader sees.
AUTOLINK_BREAK = "\N{WORD JOINER}"
_LINK_PUNCT = frozenset(":.@")


def md_escape(text: object) -> str:
    """``text`` as Markdown that renders literally: HTML, Markdown and ``$…$`` stay text.

    Every ASCII punctuation character is backslash-escaped (CommonMark renders ``\\<`` as
    ``<``), ``:``, ``.`` and ``@`` also get a word joiner before them (no automatic links for
    URLs, ``www.`` forms or e-mails), bidirectional controls become visible marks, leading
    spaces become no-break spaces (no code blocks) and line breaks are kept.
    """
    return _escape_inline(_protect_indent("" if text is None else str(text)))


def _protect_indent(s: str) -> str:
    """Spaces and tabs at the start of a line -> no-break spaces, one for one (offsets kept)."""
    return _LEADING_SPACES.sub(lambda m: "\u00a0" * len(m.group()), s)


def _escape_inline(s: str) -> str:
    s = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", s.replace("\r\n", "\n").replace("\r", "\n"))
    return _ASCII_PUNCT.sub(_escape_char, bidi.visible(s)).replace("\n", "  \n")


def _escape_char(match: re.Match) -> str:
    ch = match.group(1)
    return (AUTOLINK_BREAK if ch in _LINK_PUNCT else "") + "\\" + ch


@dataclass(frozen=True)
class Segment:
    text: str
    labels: tuple[str, ...]  # the labels whose trigger words cover this stretch; () if none


def highlight_segments(text: str, spans_by_label: dict[str, Sequence]) -> list[Segment]:
    """Split ``text`` into stretches, each with the labels whose explain spans cover it."""
    marks: list[set[str]] = [set() for _ in text]
    for label, spans in (spans_by_label or {}).items():
        for span in spans:
            start, end = max(0, int(span.start)), min(len(text), int(span.end))
            for i in range(start, end):
                marks[i].add(label)
    out: list[Segment] = []
    for i, ch in enumerate(text):
        key = tuple(label for label in LABELS if label in marks[i])
        if out and out[-1].labels == key:
            out[-1] = Segment(out[-1].text + ch, key)
        else:
            out.append(Segment(ch, key))
    return out


def highlighted_markdown(text: str, spans_by_label: dict[str, Sequence]) -> str:
    """The comment as safe Markdown with trigger words bold on an orange background."""
    parts = []
    for seg in highlight_segments(_protect_indent(text), spans_by_label):
        if not seg.labels or not seg.text.strip():
            parts.append(_escape_inline(seg.text))
            continue
        core = seg.text.strip()
        lead = seg.text[: len(seg.text) - len(seg.text.lstrip())]
        trail = seg.text[len(seg.text.rstrip()):]
        lines = [_escape_inline(line) for line in core.split("\n")]
        marked = "  \n".join(f":orange-background[**{line}**]" if line.strip() else line
                             for line in lines)
        parts.append(_escape_inline(lead) + marked + _escape_inline(trail))
    return "".join(parts)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheets); text cells starting a formula get a ``'``."""
    def safe(value):
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            return "'" + value
        return value

    cleaned = frame.copy()
    for column in cleaned.columns:
        if cleaned[column].dtype == object or pd.api.types.is_string_dtype(cleaned[column]):
            cleaned[column] = cleaned[column].astype(object).map(safe)
    buf = io.StringIO()
    cleaned.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def label_rows(scores: dict[str, float], flagged: Iterable[str],
               thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per label: Ukrainian name, the rule it enforces, score, flagged or not."""
    flagged = set(flagged)
    rows = [{"label": d.name, "title": d.title_uk, "rule": d.rule_uk, "shortcut": d.shortcut,
             "score": float(scores.get(d.name, 0.0)),
             "threshold": None if thresholds is None else thresholds.get(d.name),
             "flagged": d.name in flagged} for d in LABEL_DEFS]
    return pd.DataFrame(rows)


def titles(labels: Iterable[str] | None) -> str:
    """Labels as their Ukrainian names, comma-joined; ``—`` for none."""
    names = [BY_NAME[label].title_uk for label in (labels or ()) if label in BY_NAME]
    return ", ".join(names) if names else "—"


def flag_quality_frame(flag_precision: dict[str, float | None],
                       flagged_decided: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"мітка": BY_NAME[label].title_uk,
                          "точність позначок": flag_precision.get(label),
                          "вирішено позначених": flagged_decided.get(label, 0)}
                         for label in LABELS])


def duration_uk(delta: timedelta) -> str:
    """A wait in Ukrainian, to the minute, two units at most: «3 год 10 хв», «2 дн 4 год»,
    «45 хв», «менше хвилини»."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} дн {hours} год" if hours else f"{days} дн"
    if hours:
        return f"{hours} год {minutes} хв" if minutes else f"{hours} год"
    return f"{minutes} хв" if minutes else "менше хвилини"
