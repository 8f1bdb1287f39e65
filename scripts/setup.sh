#!/usr/bin/env bash
# Installs the project into ./.venv (created if missing) with what the tests need, at the
# exact versions and hashes of requirements/test.lock (pip, setuptools and wheel included),
# from the package index pip is configured with; then the project itself, editable, with
# those build tools. Idempotent: a second run only checks (it reinstalls when pyproject.toml,
# the lock file or this script changes). Refresh the lock with `bash scripts/lock.sh`.
# As root on Debian it also installs Chromium (for the browser test) when it is missing.
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
stamp=.venv/.installed-$(cat pyproject.toml scripts/setup.sh requirements/test.lock \
  | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
  .venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements/test.lock
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check
  rm -f .venv/.installed-* && touch "$stamp"
fi
