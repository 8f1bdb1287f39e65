#!/usr/bin/env bash
# Installs the project into ./.venv (created if missing) with what the tests need.
# Idempotent: a second run only checks (it reinstalls when pyproject.toml or this script
# changes). pip and setuptools are upgraded too: the venv's bundled
# setuptools is then at PyPI's latest release, which scripts/audit.py can audit. As root on
# Debian it also installs Chromium (for the browser test) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! command -v chromium >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "installing chromium (browser test)..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
  .venv/bin/python -m pip install -q --upgrade pip setuptools >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
