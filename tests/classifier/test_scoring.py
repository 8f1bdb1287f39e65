import csv
import json

from helpers import write_csv

from moderation import load_model
from moderation.classifier.scoring import score_file
from moderation.taxonomy import LABELS


def test_every_row_and_column_is_kept(tiny_model, tmp_path):
    src = write_csv(tmp_path / "in.csv", [
        {"id": "1", "text": "Голосуйте за Поліщука!", "extra": "a"},
        {"id": "2", "text": "", "extra": "b"},
        {"id": "3", "text": "дякую за статтю", "extra": "c"},
        {"id": "4", "text": "x" * 50_000, "extra": "d"},
    ])
    report = score_file(load_model(tiny_model), src, tmp_path / "out.csv")
    rows = list(csv.DictReader(open(tmp_path / "out.csv", encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["extra"] for r in rows] == ["a", "b", "c", "d"]
    assert all(f"p_{label}" in rows[0] for label in LABELS)
    assert "political_pr" in rows[0]["labels"].split(";")
    assert rows[1]["score_error"] == "text is empty" and rows[1]["p_insult"] == ""
    assert report.scored == 3 and len(report.not_scored) == 1 and len(report.warnings) == 1


def test_jsonl_in_and_out(tiny_model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "ти дебіл", "meta": {"a": 1}}\n'
                   '{"broken json\n', encoding="utf-8")
    report = score_file(load_model(tiny_model), src, tmp_path / "out.jsonl")
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(out) == 1 and "insult" in out[0]["labels"]
    assert len(report.unreadable) == 1 and report.unreadable[0].line == 2
