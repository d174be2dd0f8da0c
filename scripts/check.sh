#!/usr/bin/env bash
# Every check, in the order CI runs them: lint, types, tests (the whole suite).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/tracker ] || bash scripts/setup.sh
.venv/bin/ruff format --check tracker tests scripts
.venv/bin/ruff check tracker tests scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
