#!/usr/bin/env bash
# From `pip install` to a run, as a team would: build the wheel, install it into a fresh virtual
# environment, then in an empty folder run `readiness init`, `readiness demo` and `readiness run`
# (against a Redis started here) and `pytest --pyargs pytest_readiness.suites`.
#     bash scripts/check_wheel.sh [WORKDIR]        (scripts/run.sh test runs it beside the tests)
# pip's cache keeps the install fast after the first time; REUSE_VENV=1 skips build and install when
# WORKDIR already holds them (iterating on this script).
set -euo pipefail

main() {
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
work=${1:-$(mktemp -d -t readiness-wheel-XXXXXX)}
mkdir -p "$work"
cd "$work"
start=$SECONDS
step() { echo "check_wheel: [$((SECONDS - start)) s] $*"; }

if [ "${REUSE_VENV:-}" != 1 ] || [ ! -x venv/bin/readiness ]; then
  step "building the wheel"
  rm -rf dist && "$python" -m pip wheel -q --no-deps -w dist "$repo"
  wheel=$(ls dist/pytest_readiness-*.whl)
  step "installing $(basename "$wheel")[testing] into a fresh virtual environment"
  rm -rf venv && "$python" -m venv venv
  { venv/bin/python -m pip install -q --no-compile "$wheel[testing]" 2>&1; } | { grep -v "^WARNING: Location" || true; }
fi
export PATH="$work/venv/bin:$PATH"
unset PYTHONPATH

rm -rf team && mkdir team && cd team
step "readiness init"
readiness init
grep -q "^# \[redis\]" environments/prod.toml
step "readiness demo"
readiness demo -q --tb=no -n 2 > demo.log 2>&1 || { tail -40 demo.log; exit 1; }
grep -q "reports in $PWD/reports" demo.log || { tail -20 demo.log; echo "demo: no reports line"; exit 1; }
test -s reports/readiness.json
step "readiness run --env prod against a local Redis"
port=$("$work/venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no > redis.log 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
sed -i 's|^# \[redis\]|[redis]|; s|^# url = "${REDIS_URL}"|url = "${REDIS_URL}"|' environments/prod.toml
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
status=0
export REDIS_URL="redis://127.0.0.1:$port/0"
readiness run --env prod -q --tb=no -k redis > run.log 2>&1 || status=$?
# Persistence is off on purpose: NO-GO (exit 1) with the Redis items decided from the live server.
[ "$status" -eq 1 ] || { tail -30 run.log; echo "readiness run: exit $status, expected 1 (NO-GO)"; exit 1; }
grep -q '"ENV-REDIS-PROVISIONED"' reports/readiness.json
"$work/venv/bin/python" - <<'PY'
import json
items = {i["id"]: i["status"] for i in json.load(open("reports/readiness.json"))["items"]}
assert items["ENV-REDIS-PROVISIONED"] == "pass", items["ENV-REDIS-PROVISIONED"]
assert items["ENV-REDIS-PERSISTENCE"] == "fail", items["ENV-REDIS-PERSISTENCE"]
PY
step "pytest --pyargs pytest_readiness.suites --collect-only"
pytest --env prod --pyargs pytest_readiness.suites --collect-only -q -p no:cacheprovider | tail -1
step "passed"
}

main "$@"
