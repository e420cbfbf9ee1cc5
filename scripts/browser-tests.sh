#!/usr/bin/env bash
# Runs the dashboard's browser tests: selenium (PyPI, in .venv) driving Debian's chromium and
# chromium-driver against a real `bursar serve` built by `swift build`. Screenshots of every
# view land in .build/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/browser/requirements.txt
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/browser "$@"
