"""The ui and demo commands."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from moderation.auth import list_moderators
from moderation.store import open_store


def test_ui_command_passes_options_through_the_environment(tmp_path):
    from moderation.cli import build_parser
    from moderation.cli.ui import APP, command

    args = build_parser().parse_args(["ui", "--port", "8600", "--db", "sqlite:///x.db",
                                      "--model", str(tmp_path)])
    argv, env = command(args)
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4] == str(APP)
    assert argv[argv.index("--server.port") + 1] == "8600"
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert env["MODERATION_DB_URL"] == "sqlite:///x.db"
    assert env["MODERATION_MODEL_DIR"] == str(tmp_path.resolve())
    assert APP.is_file()


def test_installed_console_script_has_ui_and_demo():
    script = Path(sys.executable).with_name("moderation")
    if not script.exists():
        pytest.skip("the console script is not installed (pip install -e .)")
    for name in ("ui", "demo"):
        out = subprocess.run([str(script), name, "--help"], capture_output=True, text=True,
                             timeout=60, check=False)
        assert out.returncode == 0, out.stderr
        assert "--port" in out.stdout


def test_demo_is_idempotent(tmp_path, tiny_model, monkeypatch):
    import shutil

    from moderation.demo import prepare_demo
    from moderation.settings import get_settings

    shutil.copytree(tiny_model, tmp_path / "model")
    monkeypatch.setenv("MODERATION_MODEL_DIR", str(tmp_path / "model"))
    settings = get_settings()
    first = prepare_demo(settings, progress=lambda _: None)
    assert first.stored >= 300 and not first.model_trained and first.password
    store = open_store(settings.db_url)
    try:
        assert [(m.name, m.role) for m in list_moderators(store)] == [("demo", "admin")]
    finally:
        store.dispose()
    second = prepare_demo(settings, progress=lambda _: None)
    assert second.stored == 0 and second.password == first.password
    pw_file = Path(settings.data_dir) / "demo_password.txt"
    assert pw_file.stat().st_mode & 0o077 == 0


def test_demo_trains_a_model_when_there_is_none(tmp_path, monkeypatch):
    import corpus

    from moderation.classifier.training import as_labelled
    from moderation.demo import prepare_demo
    from moderation.settings import get_settings

    monkeypatch.setattr("moderation.classifier.dataset.load_seed",
                        lambda: as_labelled(corpus.tiny_frame()))
    info = prepare_demo(get_settings(), progress=lambda _: None, folds=3)
    assert info.model_trained and (get_settings().model_dir / "manifest.json").is_file()
    assert info.flagged > 0
