"""The installed ``moderation`` console script, run as a user would."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import write_corpus

# the script installed into this interpreter's environment (else the one on PATH)
_BESIDE = Path(sys.executable).with_name("moderation")
EXE = str(_BESIDE) if _BESIDE.exists() else shutil.which("moderation")


def run(*args, check=True):
    assert EXE, "the `moderation` console script is not installed (pip install -e .)"
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    data = write_corpus(tmp / "tiny.csv")
    out = tmp / "model"
    proc = run("train", "--no-seed", "--data", str(data), "--folds", "3", "--out", str(out),
               "--no-shared-eval", "--json", str(tmp / "metrics.json"))
    assert "macro F1" in proc.stdout and "ROC-AUC" in proc.stdout
    assert "cross-validation fold 3/3" in proc.stderr  # progress on long steps
    metrics = json.loads((tmp / "metrics.json").read_text())
    assert metrics["cv"]["macro_f1"] is not None
    # the bundled independently written sets are scored after every training
    assert "Independently written comments" in proc.stdout
    assert set(metrics["independent_eval"]) == {"independent_a.csv", "independent_b.csv",
                                                "independent_c.csv"}
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Independently written comments (never trained on)" in card
    return out


def test_help_lists_commands():
    out = run("--help").stdout
    for cmd in ("train", "evaluate", "score", "explain"):
        assert cmd in out


def test_score_and_evaluate(cli_model, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text,extra\n1,Голосуйте за Поліщука!,x\n2,,y\n", encoding="utf-8")
    run("score", "--model", str(cli_model), "--input", str(src), "--output", str(tmp_path / "o.csv"))
    rows = list(csv.DictReader(open(tmp_path / "o.csv", encoding="utf-8")))
    assert len(rows) == 2 and rows[0]["extra"] == "x" and "p_insult" in rows[0]
    data = write_corpus(tmp_path / "c.csv")
    proc = run("evaluate", "--model", str(cli_model), "--data", str(data), "--json",
               str(tmp_path / "e.json"))
    assert "macro F1" in proc.stdout
    assert json.loads((tmp_path / "e.json").read_text())["labels"]["insult"]["n"] == 52


def test_explain_json(cli_model):
    out = json.loads(run("explain", "--model", str(cli_model), "--json",
                         "Голосуйте за Поліщука, тільки він!").stdout)
    assert "political_pr" in out["flagged"]
    span = out["flagged"]["political_pr"][0]
    assert "Голосуйте за Поліщука, тільки він!"[span["start"]:span["end"]] == span["text"]


def test_model_dir_from_environment(cli_model, tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(cli_model))
    assert "political_pr" in run("explain", "Голосуйте за Поліщука!").stdout


def test_tampered_bundle_is_refused_without_traceback(cli_model, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(cli_model, bad)
    p = bad / "pipeline.skops"
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0xFF
    p.write_bytes(bytes(b))
    proc = run("explain", "--model", str(bad), "x", check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "sha256" in proc.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"id,body\n1,x\n", "missing column 'text'"),
])
def test_bad_training_file(tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    proc = run("train", "--data", str(f), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_never_trains_on_eval_folder(tmp_path):
    d = tmp_path / "eval"
    d.mkdir()
    f = write_corpus(d / "x.csv")
    proc = run("train", "--data", str(f), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2 and "never trained on" in proc.stderr


@pytest.mark.parametrize("name", ["independent_a.csv", "independent_b.csv"])
def test_never_trains_on_bundled_independent_sets(tmp_path, name):
    from moderation.classifier.evaluation import independent_paths

    path = {p.name: p for p in independent_paths()}[name]
    proc = run("train", "--data", str(path), "--out", str(tmp_path / "m"), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "evaluation only and are never trained on" in proc.stderr and name in proc.stderr
    assert not (tmp_path / "m").exists()


def test_missing_model_message(tmp_path):
    proc = run("explain", "--model", str(tmp_path / "none"), "x", check=False)
    assert proc.returncode == 2 and "moderation train" in proc.stderr


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "moderation.cli", "--help"], capture_output=True,
                          text=True)
    assert proc.returncode == 0


def test_unwritable_output_is_reported_without_traceback(cli_model, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,привіт\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = run("score", "--model", str(cli_model), "--input", str(src), "--output",
               str(blocker / "out.csv"), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "error:" in proc.stderr
