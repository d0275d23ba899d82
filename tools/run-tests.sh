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
# This environment sets PYTHONDONTWRITEBYTECODE, so every process a test
# starts (nimbus-all, daemons, each CLI call) would compile nimbus's own
# modules again (an editable install has no bytecode): ~0.3 s of CPU each.
# Compile them once; Python still checks each against its source.
python -m compileall -q -j 0 core api cli plugins > /dev/null
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
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# cpu_seconds FILE: the CPU time (user + system) of a shell's finished
# children and theirs (a suite's workers, daemons and CLI calls), from
# what `times` wrote to FILE (run in the shell itself: a command
# substitution would be a new process, with no children of its own).
cpu_seconds() {
  awk 'NR == 2 { for (i = 1; i <= 2; i++) {
    split($i, part, "m"); total += part[1] * 60 + part[2] }
    printf "%d", total }' "$1"
}

# run_suite SUITE LOG [PYTEST ARGS...]: one suite into LOG; its exit code,
# seconds and CPU seconds go beside it.
run_suite() {
  local suite=$1 log=$2 started=$SECONDS rc=0
  shift 2
  times > "$log.cpu-before"
  python -m pytest -p no:warnings -q --durations=10 "$@" "$suite" \
    > "$log" 2>&1 || rc=$?
  times > "$log.cpu-after"
  echo "$rc $((SECONDS - started)) $(($(cpu_seconds "$log.cpu-after") \
    - $(cpu_seconds "$log.cpu-before")))" > "$log.result"
}

# report SUITE LOG: print a finished suite's output and count it.
report() {
  local suite=$1 log=$2 rc took cpu
  echo "== tests: $suite"
  cat "$log"
  read -r rc took cpu < "$log.result"
  timings+=("$(printf '%5d s %6d CPU-s  %s' "$took" "$cpu" "$suite")")
  [ "$rc" -eq 0 ] || failed+=("$suite")
}

# The slow suites wait on guests, stock clients and polling more than on
# the CPU: their modules (each with its own uniquely named cloud, ports
# and resources) run side by side, a module per worker. The libvirt
# suite's modules go out in its conftest's order, slowest first (xdist
# would order them by their number of tests, and its slowest module, with
# few tests, started last while the other worker had nothing left).
for suite in tests/unit tests/functional tests/integration/libvirt; do
  case "$suite" in
    tests/unit) parallel=(-n 2) ;;
    tests/functional) parallel=(-n 3 --dist loadfile) ;;
    tests/integration/libvirt)
      parallel=(-n 2 --dist loadfile --no-loadscope-reorder) ;;
  esac
  run_suite "$suite" "$logs/suite.log" "${parallel[@]}" "$@"
  report "$suite" "$logs/suite.log"
done

# The other integration suites are multi-process deployments that mostly
# wait (heartbeats, deadlines, restarts of their own private brokers and
# databases): two of them run at a time, each still its own process with
# its own vhosts, databases, ports, bridges and volume groups.
others=()
for suite in tests/integration/*/; do
  suite=${suite%/}
  [ "$suite" = tests/integration/libvirt ] && continue
  [ -n "$(find "$suite" -name 'test_*.py' -print -quit)" ] || continue
  others+=("$suite")
done
for suite in "${others[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  run_suite "$suite" "$logs/${suite//\//_}.log" "$@" &
done
wait
for suite in "${others[@]}"; do
  report "$suite" "$logs/${suite//\//_}.log"
done

# Where the run's time goes, so the suite stays inside its budget.
echo "== time per suite (wall, and CPU of its processes)"
printf '  %s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== failed suites: ${failed[*]}"
  exit 1
fi
