#!/usr/bin/env bash
# Install what pytest-readiness needs on a fresh Debian 12 machine: the servers its tests and demo
# start (Debian packages, installed only when missing) and a virtual environment with the project.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(postgresql pgbouncer redis-server nginx prometheus prometheus-alertmanager openssh-server chromium fonts-dejavu-core git ca-certificates)
PYTHON=${PYTHON:-python3}
# Debian's python3 needs python3-venv for `python3 -m venv` (a pyenv or python.org build has it)
if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
  PACKAGES+=(python3 python3-venv)
fi
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev,testing]'
  rm -f .venv/.installed-* && touch "$stamp"
fi
