#!/usr/bin/env bash
# The project's commands, without needing make:  bash scripts/run.sh demo|test|lint|bench
# Each installs what is missing first (scripts/bootstrap.sh: Debian packages and .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  demo)
    bash scripts/bootstrap.sh
    exec .venv/bin/readiness demo "$@" ;;
  test)
    bash scripts/bootstrap.sh
    .venv/bin/ruff check pytest_readiness suites tests benchmarks scripts
    .venv/bin/mypy
    # beside the tests: the built wheel in a fresh virtual environment (init, demo, run)
    wheel_log=$(mktemp -t readiness-check-wheel-XXXXXX.log)
    bash scripts/check_wheel.sh > "$wheel_log" 2>&1 &
    wheel_pid=$!
    tests=0
    .venv/bin/pytest tests -n 2 -q "$@" || tests=$?
    wheel=0
    wait "$wheel_pid" || wheel=$?
    cat "$wheel_log"
    [ "$wheel" -eq 0 ] || echo "run.sh: scripts/check_wheel.sh failed (exit $wheel)" >&2
    [ "$tests" -eq 0 ] && [ "$wheel" -eq 0 ] ;;
  lint)
    bash scripts/bootstrap.sh
    .venv/bin/ruff check pytest_readiness suites tests benchmarks scripts
    exec .venv/bin/mypy ;;
  bench)
    bash scripts/bootstrap.sh
    for bench in benchmarks/bench_*.py; do echo "== $bench"; .venv/bin/python "$bench"; done ;;
  *)
    echo "usage: bash scripts/run.sh demo|test|lint|bench [args]" >&2
    exit 2 ;;
esac
