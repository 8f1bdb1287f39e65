#!/usr/bin/env python3
"""The package index pip is configured with, for the tools that ask it something else.

    python scripts/pip_index.py            # prints the index URL (password hidden)
    python scripts/pip_index.py --raw      # prints it as configured (for uv, scripts/lock.sh)

pip's own configuration decides, in pip's order: ``PIP_INDEX_URL``, then ``index-url`` of
the ``[install]`` and ``[global]`` sections of its configuration files (``pip config list``:
site, user and global files, ``PIP_CONFIG_FILE``), else PyPI. The index may be PyPI itself,
a mirror or a proxy; ``json_api`` derives where the same server answers PyPI's JSON API
(``<base>/pypi/<name>/json`` beside ``<base>/simple``), which ``scripts/audit.py`` asks.
Standard library only.
"""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse

DEFAULT_INDEX = "https://pypi.org/simple"
KEYS = (":env:.index-url", "install.index-url", "global.index-url")


def pip_config(python: str = sys.executable) -> dict[str, str]:
    """``pip config list`` of ``python``'s pip, as a dict (empty when pip cannot say)."""
    try:
        done = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True,
                              text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    values = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip("'\"")
    return values


def pip_index_url(python: str = sys.executable, environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("PIP_INDEX_URL"):
        return env["PIP_INDEX_URL"].split()[0]
    config = pip_config(python)
    for key in KEYS:
        if config.get(key):
            return config[key].split()[0]
    return DEFAULT_INDEX


def without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def json_api(index_url: str) -> str:
    """The JSON API URL template (with ``{name}``) of the server behind ``index_url``.
    Raises ``ValueError`` for an index that is not served over HTTP(S)."""
    parts = urllib.parse.urlsplit(index_url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the package index {without_password(index_url)} is not an HTTP(S) "
                         "server, so it has no JSON API to ask")
    path = parts.path.rstrip("/")
    if path.endswith("/simple"):
        path = path[:-len("/simple")]
    return urllib.parse.urlunsplit(parts._replace(path=f"{path}/pypi/{{name}}/json", query="",
                                                  fragment=""))


if __name__ == "__main__":
    url = pip_index_url()
    print(url if sys.argv[1:] == ["--raw"] else without_password(url))
