"""Decisions exported as training rows: the decision in force, seed-corpus columns."""
from __future__ import annotations

import csv

from helpers import write_csv

from moderation.cli import main
from moderation.queue import decide, next_item, undo
from moderation.queue.export import EXPORT_COLUMNS, decisions_frame
from moderation.queue.ingest import ingest_file

ROWS = [
    {"id": "a", "text": "Ти дурень #0.9", "article_title": "Міст"},
    {"id": "b", "text": "Голосуйте за Петренка #0.8", "article_title": "Вибори"},
    {"id": "c", "text": "Это реклама в telegram #0.7", "article_title": ""},
    {"id": "d", "text": "ідіот <script>alert(1)</script> #0.6", "article_title": "Міст"},
]


def test_export_takes_the_decision_in_force(store, keyword_model, tmp_path, db_url, capsys):
    ingest_file(store, write_csv(tmp_path / "in.csv", ROWS), keyword_model, spot_check_rate=0)
    a = next_item(store, "m")
    decide(store, a.comment.id, "m", "confirm")
    b = next_item(store, "m")
    decide(store, b.comment.id, "m", "confirm")
    undo(store, "m")  # b is undone, then decided again
    decide(store, b.comment.id, "m", "override")
    c = next_item(store, "m")
    decide(store, c.comment.id, "m", "relabel", ["advertising", "improper"])
    d = next_item(store, "m")
    decide(store, d.comment.id, "m", "skip")  # a skip is no verdict
    frame = decisions_frame(store)
    assert list(frame.columns) == list(EXPORT_COLUMNS)
    assert frame.to_dict("records") == [
        {"id": "a", "article_title": "Міст", "text": "Ти дурень #0.9", "labels": "insult",
         "lang": "uk"},
        {"id": "b", "article_title": "Вибори", "text": "Голосуйте за Петренка #0.8",
         "labels": "", "lang": "uk"},
        {"id": "c", "article_title": "", "text": "Это реклама в telegram #0.7",
         "labels": "advertising;improper", "lang": "ru"},
    ]
    assert decisions_frame(db_url).equals(frame)
    out = tmp_path / "out" / "train.csv"
    assert main(["export", "--db", db_url, "--output", str(out)]) == 0
    assert "3 decided comments" in capsys.readouterr().out
    with out.open(encoding="utf-8") as fh:
        assert [row["labels"] for row in csv.DictReader(fh)] == ["insult", "",
                                                                 "advertising;improper"]
    assert list(tmp_path.joinpath("out").iterdir()) == [out]  # no temporary file left


def test_export_of_an_empty_store(store):
    frame = decisions_frame(store)
    assert len(frame) == 0 and list(frame.columns) == list(EXPORT_COLUMNS)
