"""moderation.ui_support (safe text, sessions, admin actions) and the ui / demo commands."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from moderation.auth import AuthError, Moderator, add_moderator, list_moderators
from moderation.model import Span
from moderation.ui_support import (
    SessionPolicy,
    account_of,
    add_moderator_as,
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
    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n").replace("\u00a0", " ")


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


def test_session_policy():
    policy = SessionPolicy(idle_minutes=30, max_hours=12)
    t0 = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=29)) is None
    assert policy.expired(t0, t0, t0 + dt.timedelta(minutes=31)) == "idle"
    assert policy.expired(t0, t0 + dt.timedelta(hours=12), t0 + dt.timedelta(hours=12, minutes=1)
                          ) == "max_age"
    assert SessionPolicy.from_env({"MODERATION_SESSION_IDLE_MINUTES": "5"}).idle_minutes == 5


def test_only_an_admin_adds_moderators(tmp_path):
    path = tmp_path / "moderators.json"
    add_moderator(path, "admin", "admin-password", role="admin")
    with pytest.raises(AuthError, match="not an admin"):
        add_moderator_as(Moderator("petro", "moderator"), path, "ivan", "ivan-password")
    add_moderator_as(Moderator("admin", "admin"), path, "ivan", "ivan-password")
    assert [m.name for m in list_moderators(path)] == ["admin", "ivan"]
    assert account_of(path, "ivan") == Moderator("ivan", "moderator")
    assert account_of(path, "nobody") is None


def test_retrain_and_promote_need_an_admin(tmp_path):
    from moderation.ui_support import promote, retrain

    someone = Moderator("petro", "moderator")
    with pytest.raises(AuthError):
        retrain(someone, None, None, tmp_path)
    with pytest.raises(AuthError):
        promote(someone, None, tmp_path, tmp_path / "model")


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
    assert [(m.name, m.role) for m in list_moderators(settings.moderators_file)] == [
        ("demo", "admin")]
    second = prepare_demo(settings, progress=lambda _: None)
    assert second.stored == 0 and second.password == first.password
    pw_file = Path(settings.data_dir) / "demo_password.txt"
    assert pw_file.stat().st_mode & 0o077 == 0


def test_demo_trains_a_model_when_there_is_none(tmp_path, monkeypatch):
    import corpus

    from moderation.demo import prepare_demo
    from moderation.settings import get_settings
    from moderation.training import as_labelled

    monkeypatch.setattr("moderation.dataset.load_seed", lambda: as_labelled(corpus.tiny_frame()))
    info = prepare_demo(get_settings(), progress=lambda _: None, folds=3)
    assert info.model_trained and (get_settings().model_dir / "manifest.json").is_file()
    assert info.flagged > 0
