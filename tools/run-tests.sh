#!/usr/bin/env bash
# Install everything from nothing, then run every check and test.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-host.sh
VENV=${NIMBUS_VENV:-$PWD/.venv}
export PATH="$VENV/bin:$PATH"
export NIMBUS_GUEST_DIR=${NIMBUS_GUEST_DIR:-$PWD/.cache/guest}
echo "== ruff"
ruff check .
echo "== import contracts"
tools/lint-imports.sh
echo "== tests"
exec python -m pytest -p no:warnings -q "$@" tests
