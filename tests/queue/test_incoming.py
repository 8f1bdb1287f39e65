"""Reading comment files: every bad row reported with its line and reason."""
from __future__ import annotations

import json

import pytest
from helpers import write_csv

from moderation.errors import DataError
from moderation.queue.incoming import IncomingComment, read_comments
from moderation.tables import Problem

GOOD = {"id": "1", "text": "Дякую за новину", "author": "Оля", "article_id": "a1",
        "article_title": "Ремонт мосту", "article_url": "https://example.org/1",
        "posted_at": "2024-05-01T10:00:00+03:00"}


def problems(rows):
    return {row.line: row for row in rows if isinstance(row, Problem)}


def test_a_malformed_csv_keeps_the_good_rows_and_reports_the_bad(tmp_path):
    path = tmp_path / "in.csv"
    data = ("id,text,author,posted_at\n"
            "1,Добрий день,Оля,2024-05-01T10:00:00Z\n"  # line 2 good
            "2,,Петро,\n"  # 3 empty text
            "3,ok,Іван,вчора\n"  # 4 bad date
            "1,again,Оля,\n"  # 5 duplicate id
            ",no id,x,\n"  # 6 empty id
            "4,\"multi\nline\",Оля,\n"  # 7-8 good, starts on line 7
            "5,too,many,fields,here\n"  # 9
            f"6,{'х' * 101},Оля,\n").encode()  # 10 oversized
    path.write_bytes(data + b"7,\xff\xfe broken,Olia,\n" + "8,Останній,Оля,\n".encode())
    rows = read_comments(path, max_text_chars=100)
    good = [row for row in rows if isinstance(row, IncomingComment)]
    assert [(r.external_id, r.line) for r in good] == [("1", 2), ("4", 7), ("8", 12)]
    assert good[1].text == "multi\nline"
    assert good[0].posted_at.isoformat() == "2024-05-01T10:00:00+00:00"
    bad = problems(rows)
    assert sorted(bad) == [3, 4, 5, 6, 9, 10, 11]
    assert "empty text" in bad[3].reason
    assert bad[4].field == "posted_at"
    assert "duplicate id" in bad[5].reason and "line 2" in bad[5].reason
    assert "empty id" in bad[6].reason
    assert "fields" in bad[9].reason
    assert "too long" in bad[10].reason
    assert "UTF-8" in bad[11].reason
    assert "line 11" in str(bad[11]) and str(path) in str(bad[11])


def test_a_malformed_jsonl_file(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(GOOD, ensure_ascii=False), "{broken json", "[1, 2]",
             json.dumps({"id": 2, "text": "число як id"}),
             json.dumps({"id": "3", "text": "NUL\u0000inside"}),
             json.dumps({"id": "4", "text": "lone \ud800 surrogate"}),
             "[" * 100_000 + "]" * 100_000,
             json.dumps({"id": "5", "text": {"nested": True}})]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    rows = read_comments(path, max_text_chars=1000)
    good = [row for row in rows if isinstance(row, IncomingComment)]
    assert [r.external_id for r in good] == ["1", "2", "5"]
    assert good[2].text == '{"nested": true}'  # moderation.tables keeps nested JSON as its text
    assert good[0].author == "Оля" and good[0].article_title == "Ремонт мосту"
    assert sorted(problems(rows)) == [2, 3, 5, 6, 7]
    assert "JSON" in problems(rows)[2].reason


@pytest.mark.parametrize("content, match", [
    ("id,body\n1,hello\n", "missing column 'text'"),
    ("text\nhello\n", "missing column 'id'"),
    ("", "empty"),
])
def test_a_file_without_id_or_text_is_refused_by_name(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=match) as info:
        read_comments(path, max_text_chars=100)
    assert str(path) in str(info.value)


def test_unknown_extension_is_refused(tmp_path):
    path = write_csv(tmp_path / "x.txt", [GOOD])
    with pytest.raises(DataError, match="unsupported file type"):
        read_comments(path, max_text_chars=100)


def test_context_fields_are_read(tmp_path):
    path = write_csv(tmp_path / "in.csv", [
        {**GOOD, "parent_id": " c0 ", "article_snippet": " Міст відкриють у травні. "}])
    row, = read_comments(path, max_text_chars=100)
    assert (row.parent_id, row.article_url, row.article_snippet) == (
        "c0", "https://example.org/1", "Міст відкриють у травні.")


@pytest.mark.parametrize(("values", "field", "match"), [
    ({"article_url": "javascript:alert(1)"}, "article_url", "http:// or https://"),
    ({"article_url": "ftp://example.org/a"}, "article_url", "http:// or https://"),
    ({"article_url": "example.org/a"}, "article_url", "http:// or https://"),
    ({"article_url": "https://"}, "article_url", "name a host"),
    ({"article_url": "https://exa mple.org/"}, "article_url", "without spaces"),
    ({"article_url": "https://[::1/"}, "article_url", "http:// or https://"),
    ({"article_url": "https://example.org/" + "a" * 2000}, "article_url", "longer than 2000"),
    ({"article_snippet": "б" * 1001}, "article_snippet", "longer than 1000"),
    ({"parent_id": "p" * 201}, "parent_id", "longer than 200"),
])
def test_bad_context_fields_name_row_and_field(tmp_path, values, field, match):
    path = write_csv(tmp_path / "in.csv", [{**GOOD, "id": "ok"}, {**GOOD, **values}],
                     columns=[*GOOD, "parent_id", "article_snippet"])
    ok, bad = read_comments(path, max_text_chars=100)
    assert isinstance(ok, IncomingComment)
    assert isinstance(bad, Problem) and bad.field == field and bad.line == 3
    assert bad.row_id == "1"
    assert match in bad.reason
    assert f"line 3 (id 1), field '{field}'" in str(bad)


@pytest.mark.parametrize("url", ["http://example.org", "HTTPS://Example.org/a?b=1#c",
                                 "https://приклад.укр/новини/1"])
def test_web_addresses_are_accepted(tmp_path, url):
    row, = read_comments(write_csv(tmp_path / "in.csv", [{**GOOD, "article_url": url}]),
                         max_text_chars=100)
    assert isinstance(row, IncomingComment) and row.article_url == url
