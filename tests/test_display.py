"""moderation.display: user text shown literally, trigger words marked, safe CSV cells."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from moderation.classifier.explain import Span
from moderation.display import (
    AUTOLINK_BREAK,
    csv_bytes,
    highlight_segments,
    highlighted_markdown,
    md_escape,
)

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
    """What a reader sees: escapes, hard breaks, no-break spaces and word joiners undone."""
    return (parsed(markdown).replace("  \n", "\n").replace("\u00a0", " ")
            .replace(AUTOLINK_BREAK, ""))


def parsed(markdown: str) -> str:
    """The text a Markdown parser hands to its plugins: backslash escapes resolved."""
    return re.sub(r"\\(.)", r"\1", markdown)


# the autolink literals of GFM as remark-gfm finds them in parsed text
# (mdast-util-gfm-autolink-literal), and the plain CommonMark autolink
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
LINKABLE = [
    "https://casino-bonus.example/ua",
    "HTTP://casino-bonus.example",
    "www.casino-bonus.example",
    "WWW.casino-bonus.example/path?q=1",
    "spam@casino-bonus.example",
    "mailto:spam@casino-bonus.example",
    "Казино онлайн! https://casino-bonus.example/ua або www.casino-bonus.example, пишіть "
    "spam@casino-bonus.example",
    "(www.casino-bonus.example)",
    "<https://casino-bonus.example>",
]


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


@pytest.mark.parametrize("text", LINKABLE)
def test_urls_www_and_emails_are_no_autolinks(text):
    for out in (md_escape(text), highlighted_markdown(text, {})):
        assert GFM_URL.search(parsed(out)) is None
        assert GFM_EMAIL.search(parsed(out)) is None
        assert unescape(out) == text  # the reader sees the same characters


def test_the_autolink_check_would_catch_plain_escaping():
    """Escaping alone leaves the links (the bug): the check above is not vacuous."""
    escaped = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", LINKABLE[6])
    assert GFM_URL.search(parsed(escaped)) and GFM_EMAIL.search(parsed(escaped))


def test_highlighted_trigger_words_inside_a_url_make_no_link():
    text = "Казино https://casino-bonus.example/ua spam@casino-bonus.example"
    spans = {"advertising": [Span(0, 6, "казино", 1.0), Span(7, 18, "https://cas", 0.5),
                             Span(44, 50, "casino", 0.5)]}
    out = highlighted_markdown(text, spans)
    assert out.count(":orange-background[") == 3
    bare = re.sub(r":orange-background\[\*\*|\*\*\]", "", out)  # as if the marks were text
    assert GFM_URL.search(parsed(bare)) is None and GFM_EMAIL.search(parsed(bare)) is None
    assert unescape(bare) == text


@pytest.mark.parametrize("render", [md_escape, lambda t: highlighted_markdown(t, {})])
def test_bidi_controls_are_shown_not_applied(render):
    text = "\u202eвонеркертеп аз етйусолоГ\u202c і \u2066ізоляція\u2069"
    out = render(text)
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert unescape(out) == "⟦RLO⟧вонеркертеп аз етйусолоГ⟦PDF⟧ і ⟦LRI⟧ізоляція⟦PDI⟧"


def test_highlight_spans_keep_their_place_around_bidi_controls():
    text = "\u202eабв\u202c дурень"
    out = highlighted_markdown(text, {"insult": [Span(6, 12, "дурень", 1.0)]})
    assert out == "⟦RLO⟧абв⟦PDF⟧ :orange-background[**дурень**]"
