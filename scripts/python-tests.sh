#!/usr/bin/env bash
# Runs the Python tests (in .venv, packages from Tests/python/requirements.txt) against a real
# `bursar serve` built by `swift build`: the dashboard in Debian's chromium through selenium
# (screenshots of every view land in .build/screenshots/), and the integrations with real
# third-party clients (Prometheus), first with servers on SQLite, then on PostgreSQL; and the
# bursar-router package (clients/python: the conformance corpus, its clients against a real
# server, the LiteLLM plugin in a real LiteLLM Router), once.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/python/requirements.txt
# The Python routers' package, installed as its users install it.
"$venv/bin/pip" install --quiet --disable-pip-version-check ./clients/python
mkdir -p .build/test-results
"$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=.build/test-results/python.xml Tests/python clients/python/tests "$@"
# Once more against servers on PostgreSQL (a throwaway cluster the tests start and stop): every
# view, every handler (the OpenAPI fuzzer) and every integration on the second backend.
BURSAR_TEST_BACKEND=postgresql BURSAR_SCREENSHOTS=.build/screenshots-postgresql \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider --junitxml=.build/test-results/python-postgresql.xml Tests/python "$@"
