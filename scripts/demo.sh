#!/usr/bin/env bash
# The review queue with a trained model on the embedded SQLite store: installs, trains the
# default model if there is none, creates the store, ingests the demo comments, starts the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/moderation demo "$@"
