"""``moderation ingest`` as scripts use it: summary, problems on stderr, JSON last line."""
from __future__ import annotations

import json

from helpers import write_csv

from moderation.cli import main

ROWS = [{"id": f"r{i}", "text": t} for i, t in enumerate(
    ["Голосуйте за Петренка, він єдиний чесний кандидат!", "Дякую за статтю",
     "Кредит без довідок, пишіть у Telegram", "Коли вже відремонтують дорогу?"])]


def test_ingest_json_contract(tiny_model, tmp_path, capsys):
    path = write_csv(tmp_path / "in.csv", ROWS + [{"id": "empty", "text": ""}])
    url = f"sqlite:///{tmp_path / 'q.db'}"
    args = ["ingest", "--input", str(path), "--db", url, "--model", str(tiny_model), "--json"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    first = json.loads(out.strip().splitlines()[-1])
    assert {k: first[k] for k in ("read", "stored", "duplicates", "rejected")} == dict(
        read=5, stored=4, duplicates=0, rejected=1)
    assert "line 6" in err and "empty text" in err
    assert main(args + ["--spot-check-rate", "1"]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["stored"], second["duplicates"], second["flagged"]) == (0, 4, 0)


def test_ingest_defaults_come_from_the_settings(tiny_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(tiny_model))
    monkeypatch.setenv("MODERATION_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert main(["ingest", "--input", str(write_csv(tmp_path / "in.csv", ROWS))]) == 0
    assert "stored 4" in capsys.readouterr().out
    assert (tmp_path / "env.db").exists()


def test_missing_text_column_is_a_clear_error(tiny_model, tmp_path, capsys):
    path = write_csv(tmp_path / "notext.csv", [{"id": "1", "body": "x"}])
    code = main(["ingest", "--input", str(path), "--db", f"sqlite:///{tmp_path / 'q.db'}",
                 "--model", str(tiny_model)])
    err = capsys.readouterr().err
    assert code == 2
    assert "notext.csv" in err and "'text'" in err and "Traceback" not in err


def test_missing_model_is_a_clear_error(tmp_path, capsys):
    path = write_csv(tmp_path / "in.csv", ROWS)
    code = main(["ingest", "--input", str(path), "--db", f"sqlite:///{tmp_path / 'q.db'}",
                 "--model", str(tmp_path / "nothing")])
    assert code == 2
    assert "error:" in capsys.readouterr().err
