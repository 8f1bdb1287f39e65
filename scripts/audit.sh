#!/usr/bin/env bash
# Dependency audit of .venv (or of $PYTHON's environment). Also run by the test suite
# (tests/test_dependency_audit.py), hence in CI.
#
#   bash scripts/audit.sh [--json OUT] [-v]       # scripts/audit.py: project JSON of pip's index
#   AUDIT_TOOL=pip-audit bash scripts/audit.sh    # pip-audit --strict (OSV), all versions
#
# Default: scripts/audit.py, which audits the distributions installed at their latest
# release and lists the others as not audited (see its docstring and SECURITY.md).
# Exit codes: 0 pass, 1 known vulnerability, 3 incomplete (the index not asked about every one).
#
# AUDIT_TOOL=pip-audit covers every installed version, but needs `pip install pip-audit`
# and a machine that reaches api.osv.dev; the CI machine does not. Exit codes: pip-audit's
# (1 on a known vulnerability or on an incomplete audit), 2 when it is not installed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
case "${AUDIT_TOOL:-pypi-json}" in
    pypi-json)
        exec "$PYTHON" scripts/audit.py "$@" ;;
    pip-audit)
        if ! "$PYTHON" -m pip_audit --version >/dev/null 2>&1; then
            echo "audit: pip-audit is not installed for $PYTHON (pip install pip-audit)" >&2
            exit 2
        fi
        exec "$PYTHON" -m pip_audit --strict --skip-editable --progress-spinner off \
            --vulnerability-service osv --desc on "$@" ;;
    *)
        echo "audit: AUDIT_TOOL must be pypi-json (default) or pip-audit" >&2
        exit 2 ;;
esac
