#!/usr/bin/env bash
# Sets up .venv when missing, installs Debian's chromium for the browser tests when missing (root
# only), then runs every check: ruff lint, ruff format, mypy and the whole pytest suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not browser").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/venv.sh"
cd "$ROOT"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian's chromium for the browser tests ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium' first." >&2
    exit 1
  fi
fi
echo "== ruff check"; ruff check .
echo "== ruff format --check"; ruff format --check .
echo "== mypy"; mypy
echo "== pytest"; pytest "$@"
