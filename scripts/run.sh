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
    exec .venv/bin/pytest tests -n 2 -q "$@" ;;
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
