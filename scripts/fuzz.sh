#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (Fuzz/: events, NDJSON/LiteLLM, OTLP, policies, request heads) with -sanitize=fuzzer,address and runs each
# for FUZZ_SECONDS (default 60) from its seed corpus in Fuzz/corpus/<target>/ (new inputs it
# finds go to .build-fuzz/corpus/, crashes to .build-fuzz/crashes/). Exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=(FuzzEventDecoder FuzzNDJSON FuzzOTLP FuzzPolicy FuzzRequestHead)
for target in "${TARGETS[@]}"; do
  BURSAR_FUZZ=1 swift build --build-path .build-fuzz --product "$target" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
done
mkdir -p .build-fuzz/crashes
for target in "${TARGETS[@]}"; do
  work=.build-fuzz/corpus/$target
  mkdir -p "$work"
  echo "== $target for ${SECONDS_EACH}s"
  .build-fuzz/debug/"$target" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/crashes/"$target"- "$work" Fuzz/corpus/"$target" 2>&1 | tee .build-fuzz/"$target".log \
    | grep -E "^Done|ERROR|SUMMARY|crash" || true
  grep -q "^Done" .build-fuzz/"$target".log || { echo "$target stopped early: see .build-fuzz/$target.log"; exit 1; }
done
