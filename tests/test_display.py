"""moderation.display: user text shown literally, trigger words marked, safe CSV cells."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from moderation.classifier.explain import Span
from moderation.display import csv_bytes, highlight_segments, highlighted_markdown, md_escape

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**жирний** _курсив_ `код` ~~закреслений~~",
    "[посилання](javascript:alert(1)) ![img](http://x/y.png)",
    "$x^2$ і $$\\frac{a}{b}$$",
    "    чотири пробіли: блок коду?",
    "# заголовок\n> цитата\n1. список\n- пункт\n---",
    ":red[червоний] :smile: &amp; &lt;b&gt;",
    "a\r\nb\rc\x00d\x1b[31m",
]


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n").replace("\u00a0", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_leaves_no_markup(text):
    out = md_escape(text)
    assert re.search(r"(?<!\\)[<>*_`\[\]$#:&~|!-]", out.replace("  \n", "\n")) is None
    assert not re.search(r"^ {4}", out, re.MULTILINE)
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\N{REPLACEMENT CHARACTER}", expected)
    assert unescape(out) == expected


def test_highlight_marks_spans_of_the_original_text():
    text = "Не голосуйте за <b>нього</b>"
    segments = highlight_segments(text, {"political_pr": [Span(3, 12, "голосуйте", 1.0)],
                                         "insult": [Span(10, 12, "те", 0.5)]})
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.labels) for s in segments if s.labels] == [
        ("голосуй", ("political_pr",)), ("те", ("political_pr", "insult"))]
    out = highlighted_markdown(text, {"political_pr": [Span(3, 12, "голосуйте", 1.0)]})
    assert out == "Не :orange-background[**голосуйте**] за \\<b\\>нього\\<\\/b\\>"


def test_highlight_ignores_spans_out_of_range():
    assert highlighted_markdown("ok", {"insult": [Span(-5, 99, "x", 1.0)]}) == \
        ":orange-background[**ok**]"


def test_csv_export_neutralises_formulas():
    frame = pd.DataFrame({"note": ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "звичайний"],
                          "n": [1, 2, 3, 4, 5]})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    assert [r["note"] for r in rows] == ["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)",
                                         "звичайний"]
    assert [r["n"] for r in rows] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(("seconds", "expected"), [
    (0, "менше хвилини"), (59, "менше хвилини"), (-5, "менше хвилини"), (60, "1 хв"),
    (45 * 60 + 59, "45 хв"), (3600, "1 год"), (3 * 3600 + 10 * 60 + 30, "3 год 10 хв"),
    (86400, "1 дн"), (2 * 86400 + 4 * 3600 + 59 * 60, "2 дн 4 год"),
])
def test_duration_uk(seconds, expected):
    from datetime import timedelta

    from moderation.display import duration_uk

    assert duration_uk(timedelta(seconds=seconds)) == expected
