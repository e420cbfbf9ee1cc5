# Bursar — see README.md. `make run` and `make test` work on a fresh Debian machine as root.

SWIFT ?= swift
# Every target imports only what Package.swift says it depends on (checked as it compiles).
CHECKED := --explicit-target-dependency-import-check error
LISTEN ?= 127.0.0.1:8080
DB ?= ./var/bursar.db

# Debian packages each goal needs; installed only when missing.
BUILD_PACKAGES := pkg-config libmicrohttpd-dev libsqlite3-dev zlib1g-dev libpq-dev libjs-chart.js
TEST_PACKAGES := curl openssl python3 python3-venv chromium chromium-driver prometheus postgresql
BENCH_PACKAGES := wrk nginx-light curl postgresql python3 python3-venv

.PHONY: run build release test test-swift test-python tsan crash fuzz probe bench deps test-deps bench-deps clean

run: deps release
	mkdir -p $(dir $(DB))
	.build/release/bursar serve --db $(DB) --listen $(LISTEN)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: test-swift test-python

test-swift: deps test-deps
	scripts/declared-imports.py
	$(SWIFT) build $(CHECKED)
	mkdir -p .build/test-results
	$(SWIFT) test $(CHECKED) --parallel --xunit-output .build/test-results/swift.xml

# The dashboard in headless Chromium and the third-party integrations, against the real server (needs the debug build).
test-python: deps test-deps
	$(SWIFT) build
	scripts/python-tests.sh

# Every Swift test under ThreadSanitizer (its own build folder; CI runs it after make test),
# the servers the tests start built with it too; the first race report stops the process.
# The conformance corpus (10,000 single-threaded decisions, run by make test) is skipped here.
tsan: deps test-deps
	$(SWIFT) build --sanitize=thread --build-path .build-tsan --product bursar
	mkdir -p .build-tsan/test-results
	BURSAR_EXECUTABLE=$(CURDIR)/.build-tsan/debug/bursar TSAN_OPTIONS=halt_on_error=1 \
	  $(SWIFT) test --sanitize=thread --build-path .build-tsan --xunit-output .build-tsan/test-results/swift.xml \
	  --skip ConformanceCorpusTests

# Rounds of SIGKILL during ingest, budget edits and long polls, each verified (make test runs 2).
ROUNDS ?= 20
crash: deps test-deps
	$(SWIFT) build
	BURSAR_CRASH_ROUNDS=$(ROUNDS) $(SWIFT) test --filter CrashRoundsTests

# libFuzzer on the event decoder, the NDJSON splitter, the OTLP decoder and the policy parser.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Hostile traffic of every class the hardening issue names against a real server, for
# PROBE_SECONDS; then checks it never died, health answered, no counter wrapped, nothing lost.
PROBE_SECONDS ?= 60
probe: deps release
	python3 scripts/probe.py --binary .build/release/bursar --seconds $(PROBE_SECONDS)

bench: deps bench-deps release
	scripts/bench.sh

deps:
	@scripts/apt-install.sh $(BUILD_PACKAGES)

test-deps:
	@scripts/apt-install.sh $(TEST_PACKAGES)

bench-deps:
	@scripts/apt-install.sh $(BENCH_PACKAGES)

clean:
	rm -rf .build .build-tsan .build-fuzz .venv
