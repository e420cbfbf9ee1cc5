#!/usr/bin/env python3
"""Fails when a target imports a module of this package or of its dependencies that
Package.swift does not list among that target's own dependencies (SwiftPM's
--explicit-target-dependency-import-check accepts one reached through another target).
Run by `make test-swift`."""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
manifest = open(os.path.join(root, "Package.swift"), encoding="utf-8").read()
# Modules every target may import: the toolchain's own.
toolchain = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Synchronization", "Testing",
             "XCTest", "Glibc", "_Concurrency"}
targets = {}
for match in re.finditer(r'\.(?:target|executableTarget|testTarget)\(name: "([^"]+)"(.*?)swiftSettings', manifest, re.S):
    name, body = match.group(1), match.group(2)
    declared = set(re.findall(r'"([A-Za-z][A-Za-z0-9]*)"', body)) | set(re.findall(r'\.product\(name: "([^"]+)"', body))
    path = re.search(r'path: "([^"]+)"', body)
    folder = path.group(1) if path else next(
        (f for f in (f"Sources/{name}", f"Tests/{name}") if os.path.isdir(os.path.join(root, f))), None)
    targets[name] = (declared, folder)
failures = []
for name, (declared, folder) in sorted(targets.items()):
    if folder is None:
        continue
    for path in glob.glob(os.path.join(root, folder, "**", "*.swift"), recursive=True):
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            found = re.match(r"\s*(?:@testable\s+)?import\s+(\w+)", line)
            if found and found.group(1) not in declared | toolchain | {name}:
                failures.append(f"{os.path.relpath(path, root)}:{number}: {name} imports {found.group(1)} without declaring it")
if not targets:
    failures.append("no target found in Package.swift")
for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
