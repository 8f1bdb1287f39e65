"""Comments from a CSV or JSONL file: each row checked, the bad ones reported, not raised.

``read_comments(path)`` returns, in line order, an ``IncomingComment`` for every good row
and a ``moderation.tables.Problem`` (line and reason) for every bad one: what
``moderation.tables.read_table`` finds in the file (broken UTF-8, broken quoting or JSON, NUL
bytes), plus empty or oversized text, an empty or repeated id, a field too long or not
text, a lone surrogate, a date that is not ISO 8601, an ``article_url`` that is not an
``http``/``https`` address. A file without an ``id`` or ``text``
column is refused whole with a ``DataError`` naming the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from moderation.tables import SURROGATE, Problem, read_table

REQUIRED = ("id", "text")
OPTIONAL = ("article_id", "article_title", "article_url", "article_snippet", "author",
            "posted_at", "parent_id")
# longest value accepted per field (text: ``max_text_chars``); the store's columns fit these
FIELD_LIMITS = {"id": 200, "article_id": 200, "author": 200, "article_title": 1000,
                "article_url": 2000, "article_snippet": 1000, "posted_at": 64,
                "parent_id": 200}
URL_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class IncomingComment:
    line: int
    external_id: str
    text: str
    article_id: str | None = None
    article_title: str | None = None
    article_url: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    parent_id: str | None = None  # the site's id of the comment this one answers
    article_snippet: str | None = None  # the article's opening line


Row = IncomingComment | Problem


def read_comments(path: str | Path, *, max_text_chars: int) -> list[Row]:
    """Every row of ``path`` (``.csv``, ``.jsonl`` or ``.ndjson``), good or bad, in line order."""
    _columns, records, problems = read_table(path, required=REQUIRED)
    rows: list[Row] = list(problems)
    first_line: dict[str, int] = {}
    for record in records:
        row = check_record(str(path), record.line, record.values, max_text_chars)
        if isinstance(row, IncomingComment):
            first = first_line.setdefault(row.external_id, row.line)
            if first != row.line:
                row = Problem(str(path), row.line, f"duplicate id in this file (first on line "
                                                   f"{first})", field="id",
                              row_id=row.external_id)
        rows.append(row)
    rows.sort(key=lambda row: row.line)
    return rows


def check_record(path: str, line: int, record: dict, max_text_chars: int) -> Row:
    """One comment as read from a file row or a request (``REQUIRED`` and ``OPTIONAL``
    keys): an ``IncomingComment``, or a ``Problem`` naming the field at fault."""
    values: dict[str, str | None] = {}
    for name in REQUIRED + OPTIONAL:
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
            return Problem(path, line, f"must be text, not {type(value).__name__}", field=name)
        value = None if value is None else str(value)
        if value is not None and SURROGATE.search(value):
            return Problem(path, line, "contains a lone surrogate (broken text)", field=name)
        if value is not None and "\x00" in value:
            return Problem(path, line, "contains a NUL character", field=name)
        values[name] = value if name == "text" or value is None else value.strip()
    external_id = values["id"] or ""
    if not external_id:
        return Problem(path, line, "empty id", field="id")
    for name, limit in FIELD_LIMITS.items():
        if values[name] is not None and len(values[name]) > limit:
            return Problem(path, line, f"longer than {limit} characters", field=name,
                           row_id=external_id[:FIELD_LIMITS["id"]])
    text = values["text"] or ""
    if not text.strip():
        return Problem(path, line, "empty text", field="text", row_id=external_id)
    if len(text) > max_text_chars:
        return Problem(path, line, f"text too long: {len(text)} characters, the limit is "
                                   f"{max_text_chars}", field="text", row_id=external_id)
    if values["article_url"] and not is_web_url(values["article_url"]):
        return Problem(path, line, "not a web address: it must start with http:// or https:// "
                                   "and name a host, without spaces", field="article_url",
                       row_id=external_id)
    try:
        posted_at = _parse_time(values["posted_at"])
    except ValueError:
        return Problem(path, line, "not an ISO 8601 date", field="posted_at",
                       row_id=external_id)
    return IncomingComment(
        line=line, external_id=external_id, text=text,
        article_id=values["article_id"] or None, article_title=values["article_title"] or None,
        article_url=values["article_url"] or None, author=values["author"] or None,
        posted_at=posted_at, parent_id=values["parent_id"] or None,
        article_snippet=values["article_snippet"] or None)


def is_web_url(value: str) -> bool:
    """``value`` is an absolute ``http``/``https`` address with a host and no spaces or
    control characters (what may be shown to a moderator as an article's address)."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(host)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
