#!/usr/bin/env bash
# Fails unless every expected test report of the last run is there, holds at least the
# number of test cases it is expected to hold, and none of them was skipped (CI runs every
# test or says why not; a lost report or a suite that silently ran fewer tests fails too).
# Reads the JUnit XML files that `make test-swift`, `make test-python` and `make tsan` write.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each report CI must find and the fewest test cases it may hold: raise a figure when tests
# are added; lower it only with the tests' removal in the same commit.
expected=(
  ".build/test-results/swift-swift-testing.xml 311"
  ".build/test-results/python.xml 119"
  ".build/test-results/python-postgresql.xml 64"
  ".build-tsan/test-results/swift-swift-testing.xml 306"
)
if [ "${1:-}" = "--without-tsan" ]; then unset 'expected[3]'; fi

failed=0
for entry in "${expected[@]}"; do
  report=${entry% *}
  minimum=${entry##* }
  if [ ! -f "$report" ]; then
    echo "missing test report: $report" >&2
    failed=1
    continue
  fi
  summary=$(python3 - "$report" "$minimum" <<'PY'
import sys, xml.etree.ElementTree as tree
cases = list(tree.parse(sys.argv[1]).iter("testcase"))
skipped = [f'{case.get("classname", "")} {case.get("name", "")}' for case in cases if case.find("skipped") is not None]
for name in skipped:
    print(f"skipped: {name}")
if len(cases) < int(sys.argv[2]):
    print(f"only {len(cases)} test cases, expected at least {sys.argv[2]}")
print(f"ok {len(cases)}")
PY
)
  if grep -qv '^ok ' <<<"$summary"; then
    echo "$report:" >&2
    grep -v '^ok ' <<<"$summary" >&2
    failed=1
  else
    echo "$report: ${summary#ok } test cases, none skipped"
  fi
done
exit $failed
