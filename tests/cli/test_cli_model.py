"""``moderation model list / promote / rollback / rescore`` and ``train --from-db``."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from loop import decide_gold, ingest, site_rows, small_seed

from moderation import load_model, train_model
from moderation.cli import main
from moderation.learning.comparison import Comparison, LabelComparison
from moderation.learning.promotions import promotions
from moderation.settings import get_settings
from moderation.store import open_store
from moderation.taxonomy import LABELS


@pytest.fixture
def env(tmp_path, monkeypatch, tiny_model):
    """A store with open comments, the tiny model current, and a candidate bundle."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MODERATION_DB_URL", url)
    shutil.copytree(tiny_model, get_settings().model_dir)
    store = open_store(url)
    ingest(store, tmp_path, site_rows())
    store.dispose()
    candidate = train_model(small_seed(), tmp_path / "candidate", folds=3)
    return url, load_model(get_settings().model_dir), candidate


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_promote_list_rollback(env, capsys):
    url, first, candidate = env
    assert main(["model", "promote", str(candidate.path), "--by", "ops", "--note", "May",
                 "--json"]) == 0
    result = last_json(capsys)
    assert result["version"] == candidate.version and result["previous"] == first.version
    assert result["by"] == "ops" and result["action"] == "promote"
    assert result["rescored"] > 0 and result["rescored"] == result["flagged"] + result["unflagged"]
    assert load_model().version == candidate.version

    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    assert f"current model: {candidate.version}" in out
    assert f" * {candidate.version}" in out and first.version in out
    assert "promote" in out and "by ops  May" in out

    assert main(["model", "rollback", "--by", "ops", "--json"]) == 0
    back = last_json(capsys)
    assert back["version"] == first.version and back["action"] == "rollback"
    assert load_model().version == first.version
    assert main(["model", "list", "--json"]) == 0
    listing = last_json(capsys)
    assert listing["current"] == first.version
    assert [p["action"] for p in listing["promotions"]] == ["rollback", "promote"]
    assert {k["version"] for k in listing["kept"]} == {first.version, candidate.version}

    assert main(["model", "rollback", candidate.version]) == 0
    assert "current model: " + candidate.version in capsys.readouterr().out
    assert main(["model", "rollback", "no-such-version"]) == 2
    assert "no kept model 'no-such-version'" in capsys.readouterr().err
    assert main(["model", "rescore", "--json"]) == 0
    assert last_json(capsys)["version"] == candidate.version


def test_promote_refuses_a_candidate_worse_beyond_noise_unless_forced(env, capsys):
    url, first, candidate = env
    manifest_path = Path(candidate.path) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    labels = tuple(LabelComparison(label, 20, 0.9, 0.5, None, None, -0.4, (-0.6, -0.2))
                   if label == "insult" else LabelComparison(label, 0) for label in LABELS)
    manifest["comparison"] = Comparison(
        rows=40, labels=labels, macro=LabelComparison("macro", 1, 0.9, 0.5, None, None, -0.4,
                                                      (-0.6, -0.2)),
        current_version=first.version).as_dict()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")  # no key: not signed
    assert main(["model", "promote", str(candidate.path)]) == 1
    err = capsys.readouterr().err
    assert "insult" in err and "WORSE" in err and "--force" in err
    assert f"compared with {first.version}" not in err  # compared with the current model
    assert load_model().version == first.version
    store = open_store(url)
    assert promotions(store) == []
    store.dispose()
    assert main(["model", "promote", str(candidate.path), "--force"]) == 0
    assert load_model().version == candidate.version


def test_a_tampered_bundle_is_refused(env, capsys):
    url, first, candidate = env
    (Path(candidate.path) / "pipeline.skops").write_bytes(b"x")
    assert main(["model", "promote", str(candidate.path)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert load_model().version == first.version


def test_train_from_db_records_the_decisions_and_their_weight(env, tmp_path, capsys):
    url, first, candidate = env
    store = open_store(url)
    decide_gold(store, {r["id"]: r["labels"] for r in site_rows()}, limit=12)
    store.dispose()
    data = tmp_path / "seed.csv"
    small_seed().to_csv(data, index=False)
    out = tmp_path / "from-db"
    assert main(["train", "--no-seed", "--data", str(data), "--from-db", url, "--folds", "3",
                 "--decision-weight", "3", "--out", str(out), "--no-shared-eval",
                 "--no-independent-eval", "--quiet"]) == 0
    manifest = load_model(out).manifest
    assert manifest["decisions_used"] == 12 and manifest["decisions_until"] >= 12
    assert manifest["decision_weight"]["weight"] == 3.0
    assert manifest["training_data"]["rows"] == len(small_seed()) + 12
    assert "## Learning loop" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert main(["train", "--from-db", url, "--decision-weight", "zero", "--out",
                 str(tmp_path / "x")]) == 2
    assert "--decision-weight" in capsys.readouterr().err


def test_the_installed_script_has_the_model_commands(tmp_path):
    exe = Path(sys.executable).with_name("moderation")
    proc = subprocess.run([str(exe), "model", "list", "--json", "--db",
                           f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"current": None, "kept": [], "promotions": []}
