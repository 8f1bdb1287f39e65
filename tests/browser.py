"""Real-browser test support: Debian's ``chromium`` (driven by ``playwright``, never
``playwright install``) and ``moderation ui`` started on a free port over a given store.

``chromium()`` skips the test when chromium is absent and ``CI`` is unset; under ``CI=true``
it fails instead.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the app did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def ui_process(db_url: str, model_dir: Path, workdir: Path) -> Iterator[str]:
    """`moderation ui` (the installed console script) on a free port: its URL."""
    port = free_port()
    script = Path(sys.executable).with_name("moderation")
    argv = ([str(script)] if script.exists() else [sys.executable, "-c",
            "import sys; from moderation.cli import main; sys.exit(main())"])
    env = {**os.environ, "MODERATION_DATA_DIR": str(workdir / "data")}
    with open(workdir / f"ui-{port}.log", "wb") as log:
        process = subprocess.Popen([*argv, "ui", "--port", str(port), "--db", db_url,
                                    "--model", str(model_dir)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def submit_sign_in(page, url: str, name: str, password: str) -> None:
    """Open ``url`` and send the sign-in form (the caller waits for what should follow)."""
    page.goto(url)
    page.get_by_label("Ім'я модератора").fill(name)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Увійти").click()
