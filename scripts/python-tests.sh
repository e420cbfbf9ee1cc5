#!/usr/bin/env bash
# Runs the Python tests (in .venv, packages from tests/python/requirements.txt) against a real
# `bursar serve` built by `swift build`: the dashboard in Debian's chromium through selenium
# (screenshots of every view land in .build/screenshots/), and the integrations with real
# third-party clients (Prometheus), first with servers on SQLite, then on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/python/requirements.txt
mkdir -p .build/test-results
"$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=.build/test-results/python.xml tests/python "$@"
# Once more against servers on PostgreSQL (a throwaway cluster the tests start and stop): every
# view, every handler (the OpenAPI fuzzer) and every integration on the second backend.
BURSAR_TEST_BACKEND=postgresql BURSAR_SCREENSHOTS=.build/screenshots-postgresql \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=.build/test-results/python-postgresql.xml tests/python "$@"
