#!/usr/bin/env bash
# Regenerates Sources/BursarOTLP/Generated from proto/*.proto. Run by hand after changing a
# .proto (the output is committed; CI never runs this). Needs protoc (Debian
# protobuf-compiler) and protoc-gen-swift built from apple/swift-protobuf at the version
# Package.swift names, e.g.:
#   git clone --branch 1.39.0 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift scripts/generate-protos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out=Sources/BursarOTLP/Generated \
  --proto_path=proto proto/*.proto
