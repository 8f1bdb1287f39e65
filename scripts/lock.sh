#!/usr/bin/env bash
# Refreshes the lock files: exact versions and hashes of every dependency of the app
# (requirements/app.lock: the package with its PostgreSQL driver, and the build tools of
# requirements/build.in for the editable install) and of the tests (requirements/test.lock:
# that and the test extra, constrained to the app's pins so both files agree). scripts/setup.sh (and so CI) installs
# test.lock; deployments install app.lock (docs/operations.md).
#
#   bash scripts/lock.sh             # after editing pyproject.toml: keeps the other pins
#   bash scripts/lock.sh --upgrade   # every dependency to its newest release in range
#
# Resolved by uv (`uv pip compile --universal --generate-hashes`, for Python >= 3.11 on every
# platform) against the package index pip is configured with (scripts/pip_index.py). uv is
# installed into .venv-lock/ the first time (a tool, not a dependency of the project).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
index=$("$PY" scripts/pip_index.py --raw)
if [[ ! -x .venv-lock/bin/uv ]]; then
  "$PY" -m venv .venv-lock
  .venv-lock/bin/python -m pip install -q "uv>=0.5"
fi
upgrade=()
if [[ ${1:-} == --upgrade ]]; then upgrade=(--upgrade); fi
common=(--universal --python-version 3.11 --generate-hashes --index-url "$index" --quiet)
.venv-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra postgres "${common[@]}" \
  ${upgrade[@]+"${upgrade[@]}"} -o requirements/app.lock
.venv-lock/bin/uv pip compile pyproject.toml requirements/build.in --extra postgres \
  --extra test "${common[@]}" ${upgrade[@]+"${upgrade[@]}"} -c requirements/app.lock \
  -o requirements/test.lock
echo "lock: $(grep -c '==' requirements/app.lock) pins in requirements/app.lock," \
     "$(grep -c '==' requirements/test.lock) in requirements/test.lock"
