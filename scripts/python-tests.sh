#!/usr/bin/env bash
# Runs the Python tests (in .venv, packages from tests/python/requirements.txt) against a real
# `bursar serve` built by `swift build`: the dashboard in Debian's chromium through selenium
# (screenshots of every view land in .build/screenshots/), and the integrations with real
# third-party clients (Prometheus).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt
mkdir -p .build/test-results
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=.build/test-results/python.xml tests/python "$@"
