#!/usr/bin/env bash
# Sets up .venv when missing and opens the app on the sample portfolio at http://localhost:8501
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/venv.sh"
cd "$ROOT"
exec streamlit run app.py --server.headless true --browser.gatherUsageStats false --server.port "${PORT:-8501}" "$@"
