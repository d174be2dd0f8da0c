#!/usr/bin/env bash
# Create .venv and install the tracker with its test tools. Idempotent: rerunning is cheap.
# torch is installed first and pinned: 2.13.0 is the local CPU wheel; any other spec pulls
# several GB of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
