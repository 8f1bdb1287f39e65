#!/usr/bin/env bash
# Dependency audit: pip-audit over the installed environment, the local editable package
# (moderation itself) skipped. Exits non-zero on a known vulnerability AND when any installed
# distribution could not be audited (--strict): an audit that could not ask is not a pass.
#
#   PYTHON=/path/to/venv/bin/python scripts/audit.sh      # default: .venv/bin/python
#   AUDIT_SERVICE=osv scripts/audit.sh                    # default: pypi (PyPI's JSON API)
#
# Exit codes: 0 no known vulnerability, every dependency audited; 1 a known vulnerability
# or an incomplete audit (the output says which); 2 pip-audit is not installed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
if ! "$PYTHON" -m pip_audit --version >/dev/null 2>&1; then
    echo "audit: pip-audit is not installed for $PYTHON (pip install pip-audit)" >&2
    exit 2
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$PYTHON" -m pip_audit --strict --skip-editable --progress-spinner off \
    --vulnerability-service "${AUDIT_SERVICE:-pypi}" --desc on "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    if grep -q "could not be audited\|ConnectionError\|Failed to resolve\|Max retries" "$out"; then
        echo "audit: INCOMPLETE: the vulnerability service could not be asked about every" \
             "dependency (see above); this is a failure, not a pass" >&2
    else
        echo "audit: known vulnerabilities found (see above)" >&2
    fi
fi
exit "$status"
