#!/usr/bin/env bash
# Fails when any test of the last run was skipped (CI runs every test or says why not):
# reads the JUnit XML files that `make test-swift`, `make test-python` and `make tsan` write.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
reports=(.build/test-results/*.xml .build-tsan/test-results/*.xml)
if [ ${#reports[@]} -eq 0 ]; then
  echo "no test reports found in .build/test-results or .build-tsan/test-results" >&2
  exit 1
fi
skipped=0
for report in "${reports[@]}"; do
  # One <testcase ...> element per test; a skipped one holds a <skipped> element.
  names=$(python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as tree
for case in tree.parse(sys.argv[1]).iter("testcase"):
    if case.find("skipped") is not None:
        print(f'{case.get("classname", "")} {case.get("name", "")}')
PY
)
  if [ -n "$names" ]; then
    echo "skipped in $report:" >&2
    echo "$names" >&2
    skipped=1
  fi
done
[ $skipped -eq 0 ] && echo "no test skipped (${#reports[@]} reports)"
exit $skipped
