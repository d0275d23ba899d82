#!/usr/bin/env bash
# Install everything from nothing, then run every check and test.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-host.sh
echo "== host ready after $SECONDS s"
VENV=${NIMBUS_VENV:-$PWD/.venv}
export PATH="$VENV/bin:$PATH"
export NIMBUS_GUEST_DIR=${NIMBUS_GUEST_DIR:-$PWD/.cache/guest}
echo "== ruff"
ruff check .
echo "== import contracts"
tools/lint-imports.sh
# Each suite runs in its own process: the services under test share
# process-wide state (oslo.config's global CONF, oslo.privsep's daemon,
# oslo.messaging's transports), so one suite's leftovers must not decide
# another's outcome. Every suite runs; the run fails if any failed.
failed=()
timings=()
for suite in tests/unit tests/functional tests/integration/*/; do
  [ -n "$(find "$suite" -name 'test_*.py' -print -quit)" ] || continue
  # The slow suites wait on guests, stock clients and polling more than
  # on the CPU: their modules (each with its own uniquely named cloud,
  # ports and resources) run side by side, a module per worker.
  case "$suite" in
    tests/functional) parallel=(-n 3 --dist loadfile) ;;
    tests/integration/libvirt/) parallel=(-n 2 --dist loadfile) ;;
    *) parallel=() ;;
  esac
  echo "== tests: $suite"
  started=$SECONDS
  python -m pytest -p no:warnings -q --durations=10 "${parallel[@]}" "$@" \
    "$suite" || failed+=("$suite")
  timings+=("$((SECONDS - started)) s  $suite")
done
# Where the run's time goes, so the suite stays inside its budget.
echo "== time per suite"
printf '  %s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== failed suites: ${failed[*]}"
  exit 1
fi
