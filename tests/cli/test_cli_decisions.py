"""``moderation decisions import`` and ``moderation ingest`` with edits, as scripts use them:
summary, problems on stderr, JSON last line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import KeywordModel, write_csv

from moderation.cli import main
from moderation.queue import history
from moderation.queue.ingest import ingest_file
from moderation.store import open_store

COMMENTS = [{"id": "c1", "text": "Голосуйте за Петренка!"}, {"id": "c2", "text": "Дякую"}]
OUTCOMES = [{"id": "c1", "labels": "political_pr"}, {"id": "c2", "labels": ""},
            {"id": "gone", "labels": ""}, {"id": "c1", "labels": "insult"},
            {"id": "x", "labels": "hate"}]


def stored(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    store = open_store(url)
    try:
        ingest_file(store, write_csv(tmp_path / "c.csv", COMMENTS), KeywordModel(),
                    spot_check_rate=0.0)
    finally:
        store.dispose()
    return url


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_import_json_contract(tmp_path, capsys):
    url = stored(tmp_path)
    path = write_csv(tmp_path / "history.csv", OUTCOMES)
    args = ["decisions", "import", "--input", str(path), "--moderator", "olena", "--db", url,
            "--json"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert last_json(out) == dict(read=5, imported=2, unknown=1, rejected=2, unchanged=0)
    assert "imported 2 decisions" in out
    assert "history.csv, line 4 (id gone), field 'id': no comment with this id" in err
    assert "line 5 (id c1), field 'id': duplicate id in this file" in err
    assert "line 6 (id x), field 'labels': unknown label 'hate'" in err
    assert main(args) == 0  # idempotent
    assert last_json(capsys.readouterr().out) == dict(read=5, imported=0, unknown=1,
                                                      rejected=2, unchanged=2)
    store = open_store(url)
    try:
        assert list(history(store)["action"]) == ["import", "import"]
    finally:
        store.dispose()


def test_import_errors_without_traceback(tmp_path, capsys):
    url = stored(tmp_path)
    missing = ["decisions", "import", "--input", str(tmp_path / "none.csv"), "--moderator",
               "olena", "--db", url]
    assert main(missing) == 2
    err = capsys.readouterr().err
    assert "none.csv" in err and "file not found" in err and "Traceback" not in err
    blank = ["decisions", "import", "--input", str(tmp_path / "c.csv"), "--moderator", " ",
             "--db", url]
    assert main(blank) == 2
    assert "--moderator needs a name" in capsys.readouterr().err


def test_ingest_json_counts_edits(tmp_path, capsys, monkeypatch):
    from moderation.cli import ingest as ingest_cli

    url = stored(tmp_path)
    path = write_csv(tmp_path / "edit.csv", [{"id": "c1", "text": "Голосуйте за Петренка!"},
                                             {"id": "c2", "text": "Дякую, дурень"}])
    monkeypatch.setattr(ingest_cli, "load_model_arg", lambda _args: KeywordModel())
    assert main(["ingest", "--input", str(path), "--db", url, "--json"]) == 0
    out = capsys.readouterr().out
    assert last_json(out) == dict(read=2, stored=0, duplicates=1, rejected=0, flagged=1,
                                  spot_checked=0, edited=1)
    assert "edited 1" in out


def test_installed_script_runs_decisions_import(tmp_path):
    script = Path(sys.executable).with_name("moderation")
    assert script.exists(), "the console script is not installed (pip install -e .)"
    url = stored(tmp_path)
    path = write_csv(tmp_path / "h.csv", OUTCOMES[:2])
    proc = subprocess.run([str(script), "decisions", "import", "--input", str(path),
                           "--moderator", "olena", "--db", url, "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert last_json(proc.stdout) == dict(read=2, imported=2, unknown=0, rejected=0,
                                          unchanged=0)
