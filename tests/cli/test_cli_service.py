"""``moderation apikey`` and ``moderation serve`` from the command line, and the demo's key."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from moderation.cli import build_parser, main
from moderation.site.keys import KeyVerifier, list_keys
from moderation.store import open_store


def test_apikey_add_list_revoke(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    assert main(["apikey", "add", "site", "--scopes", "score,appeal", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    key = out[-1]  # the key alone on the last line
    assert key.startswith("mk_") and " " not in key and "shown only now" in out[0]
    store = open_store(url)
    try:
        assert KeyVerifier(store).verify(key).scopes == ("score", "appeal")
        assert main(["apikey", "list", "--db", url]) == 0
        listed = capsys.readouterr().out
        assert "site\tscore,appeal" in listed and "active" in listed and key not in listed
        assert main(["apikey", "add", "site", "--db", url]) == 2
        assert "exists already" in capsys.readouterr().err
        assert main(["apikey", "add", "x", "--scopes", "everything", "--db", url]) == 2
        assert "unknown scope" in capsys.readouterr().err
        assert main(["apikey", "revoke", "site", "--db", url]) == 0
        assert KeyVerifier(store).verify(key) is None
        assert main(["apikey", "revoke", "nobody", "--db", url]) == 2
        assert "revoked" in [line.split("\t")[-1].split()[0] for line in
                             _listed(url, capsys)][0]
    finally:
        store.dispose()


def _listed(url, capsys):
    main(["apikey", "list", "--db", url])
    return capsys.readouterr().out.splitlines()


def test_serve_and_demo_options():
    args = build_parser().parse_args(["serve", "--port", "8123", "--workers", "2", "--db",
                                      "sqlite:///x.db"])
    assert (args.host, args.service_port, args.workers, args.db) == ("127.0.0.1", 8123, 2,
                                                                     "sqlite:///x.db")
    demo = build_parser().parse_args(["demo", "--serve", "--api-port", "8124", "--port", "8601"])
    assert demo.serve and demo.service_port == 8124 and demo.port == 8601


def test_installed_console_script_has_serve_and_apikey(tmp_path):
    script = Path(sys.executable).with_name("moderation")
    if not script.exists():
        import pytest

        pytest.skip("the console script is not installed (pip install -e .)")
    out = subprocess.run([str(script), "apikey", "add", "cli", "--db",
                          f"sqlite:///{tmp_path / 'c.db'}"], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.splitlines()[-1].startswith("mk_")
    help_text = subprocess.run([str(script), "serve", "--help"], capture_output=True, text=True,
                               timeout=60, check=True).stdout
    assert "--workers" in help_text and "--port" in help_text


def test_the_demo_key_is_kept_and_replaced_when_revoked(tmp_path):
    from moderation.demo import demo_api_key
    from moderation.settings import get_settings
    from moderation.site.keys import revoke_key

    settings = get_settings()
    first = demo_api_key(settings)
    assert demo_api_key(settings) == first  # kept in demo_api_key.txt
    kept = Path(settings.data_dir) / "demo_api_key.txt"
    assert kept.stat().st_mode & 0o077 == 0
    store = open_store(settings.db_url)
    try:
        revoke_key(store, "demo-site")
        second = demo_api_key(settings)
        assert second != first and KeyVerifier(store).verify(second) is not None
        assert len(list_keys(store)) == 2
    finally:
        store.dispose()


def test_demo_starts_the_service_and_stops_it_with_itself(tmp_path, tiny_model):
    import json
    import os
    import shutil
    import signal
    import socket
    import time
    import urllib.request

    import pytest

    script = Path(sys.executable).with_name("moderation")
    if not script.exists():
        pytest.skip("the console script is not installed (pip install -e .)")
    data = tmp_path / "demo"
    shutil.copytree(tiny_model, data / "model")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MODERATION_DATA_DIR": str(data)}
    env.pop("MODERATION_MODEL_DIR", None)
    env.pop("MODERATION_DB_URL", None)
    demo = subprocess.Popen([str(script), "demo", "--serve", "--no-ui", "--api-port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert health and health["queues"]["review"] > 0  # the demo comments, served
        key = (data / "demo_api_key.txt").read_text().strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/comments", data=json.dumps(
                {"id": "demo-x", "text": "Дякую за новину"}).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            assert json.load(r)["id"] == "demo-x"
    finally:
        demo.send_signal(signal.SIGTERM)
        out = demo.communicate(timeout=60)[0].decode()
    assert key in out  # printed for the user
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_author_set_and_list(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["author", "set", "Іван", "ban", "--reason", "погрози", "--days", "7",
                 "--moderator", "olena", "--db", url]) == 0
    assert "ban for 'Іван' until " in capsys.readouterr().out
    assert main(["author", "set", "Петро", "watch", "--reason", "спам",
                 "--moderator", "olena", "--db", url]) == 0
    assert main(["author", "set", "Оля", "ban", "--reason", " ", "--moderator", "olena",
                 "--db", url]) == 2
    assert "reason" in capsys.readouterr().err
    assert main(["author", "list", "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["Петро", "watch"], ["Іван", "ban"]]
    assert lines[0].endswith("until lifted\tolena\tспам")
