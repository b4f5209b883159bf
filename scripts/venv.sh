#!/usr/bin/env bash
# Creates .venv in the repo root when missing, and (re)installs the project when pyproject.toml
# changed since the last install. Sourced by scripts/app.sh and scripts/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV ..." >&2
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "Installing Cost Drift and its dependencies into .venv (about 2 GB, a minute or two) ..." >&2
  "$VENV/bin/python" -m pip install -qq --upgrade pip >&2
  # dev: the test tools; spark: PySpark, so that the Spark engine's tests run too
  "$VENV/bin/python" -m pip install -qq -e "$ROOT[dev,spark]" >&2
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0
