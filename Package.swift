// swift-tools-version:6.0
import Foundation
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Bursar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bursar", targets: ["bursar"]),
        .executable(name: "bursar-bench", targets: ["BursarBench"]),
        .library(name: "BursarCore", targets: ["BursarCore"]),
        .library(name: "BursarClient", targets: ["BursarClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // A lock ThreadSanitizer sees (the standard library's Mutex takes futex paths it does not).
        .target(name: "Locking", swiftSettings: swiftSettings),
        .target(name: "BursarCore", dependencies: ["Locking"], swiftSettings: swiftSettings),
        // The storage interface: what Bursar keeps, as protocols, and the records they speak.
        .target(name: "BursarStorage", dependencies: [
            "BursarCore", "Locking",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        // The storage conformance suite: every backend's test target runs all of it.
        .target(name: "BursarStorageConformance", dependencies: ["BursarCore", "BursarStorage", "Locking"], swiftSettings: swiftSettings),
        .target(name: "BursarSQLite", dependencies: [
            "BursarCore", "BursarStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: swiftSettings),
        // PostgreSQL through libpq: connections, COPY, migrations (the backend for replicas).
        .target(name: "BursarPostgres", dependencies: [
            "CLibPQ", "BursarCore", "BursarStorage", "Locking",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .target(name: "BursarOTLP", dependencies: [
            "BursarCore",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], swiftSettings: swiftSettings),
        // The HTTP toolkit: requests, responses, routing, errors; nothing of Bursar's.
        .target(name: "HTTPToolkit", dependencies: [
            "CZlib", "Locking",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        // What runs behind the API: the bundle publisher, the budget monitor, alert delivery, prices.
        .target(name: "BursarServices", dependencies: [
            "BursarCore", "BursarStorage", "BursarHTTPClient", "Locking",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: swiftSettings),
        .target(name: "BursarHTTP", dependencies: [
            "BursarCore", "BursarStorage", "BursarServices", "BursarOTLP", "HTTPToolkit", "Locking",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .target(name: "MicroHTTPDServer", dependencies: [
            "CMicroHTTPD", "HTTPToolkit", "Locking",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        // HTTP(S) client shared by the router SDK and the server's webhook delivery.
        .target(name: "BursarHTTPClient", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: swiftSettings),
        .target(name: "BursarClient", dependencies: [
            "BursarCore", "BursarHTTPClient", "Locking",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .executableTarget(name: "bursar", dependencies: [
            "BursarCore", "BursarStorage", "BursarSQLite", "BursarPostgres", "BursarHTTP", "HTTPToolkit", "BursarServices", "MicroHTTPDServer", "BursarClient", "BursarHTTPClient", "Locking",
            "BursarDemo", "BursarCorpus",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        // Tools apart from the product. Demo traffic and the example router (`bursar demo`,
        // `bursar router-demo` are thin commands over it):
        .target(name: "BursarDemo", dependencies: [
            "BursarCore", "BursarClient", "BursarHTTP", "BursarHTTPClient", "BursarServices", "HTTPToolkit", "Locking",
        ], swiftSettings: swiftSettings),
        // the router conformance corpus (`bursar conformance` writes it; the SDKs' tests read it):
        .target(name: "BursarCorpus", dependencies: ["BursarCore"], swiftSettings: swiftSettings),
        // and what `make bench` measures (its own executable, `bursar-bench`).
        .executableTarget(name: "BursarBench", dependencies: [
            "BursarCore", "BursarStorage", "BursarSQLite", "BursarPostgres", "BursarServices", "BursarClient", "BursarHTTPClient", "BursarDemo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .target(name: "BursarTesting", dependencies: [
            "BursarCore", "Locking", "BursarStorage", "BursarSQLite", "BursarHTTP", "HTTPToolkit", "BursarServices", "BursarClient", "BursarHTTPClient", "MicroHTTPDServer",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        // A SQLite VFS for power-loss tests: what a machine would find after losing power.
        .target(name: "CPowerLoss", path: "Tests/Support/CPowerLoss", linkerSettings: [.linkedLibrary("sqlite3")]),
        .testTarget(name: "BursarCoreTests", dependencies: ["BursarCore", "BursarCorpus"], swiftSettings: swiftSettings),
        .testTarget(name: "BursarSQLiteTests", dependencies: [
            "BursarCore", "BursarSQLite", "BursarStorage", "BursarStorageConformance", "BursarServices", "BursarTesting", "Locking",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: swiftSettings),
        .testTarget(name: "BursarPostgresTests", dependencies: ["BursarCore", "BursarPostgres", "BursarStorage", "BursarStorageConformance", "BursarTesting", "Locking"], swiftSettings: swiftSettings),
        .testTarget(name: "BursarServicesTests", dependencies: ["BursarCore", "BursarServices", "BursarSQLite", "BursarStorage", "BursarTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "BursarHTTPTests", dependencies: [
            "BursarCore", "BursarHTTP", "HTTPToolkit", "BursarServices", "BursarStorage", "BursarSQLite", "BursarClient", "BursarOTLP", "BursarTesting", "Locking",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests", dependencies: [
            "BursarCore", "BursarStorage", "BursarSQLite", "BursarPostgres", "BursarClient", "BursarHTTPClient", "BursarHTTP", "HTTPToolkit", "BursarServices", "MicroHTTPDServer", "BursarTesting",
            "BursarOTLP", "CPowerLoss", "Locking",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: swiftSettings),
    ]
)

// libFuzzer targets, only for `make fuzz` (built with -sanitize=fuzzer; see scripts/fuzz.sh).
if ProcessInfo.processInfo.environment["BURSAR_FUZZ"] == "1" {
    package.targets += [
        .target(name: "FuzzDriver", path: "Fuzz/FuzzDriver", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzEventDecoder", dependencies: ["BursarCore", "FuzzDriver"], path: "Fuzz/FuzzEventDecoder", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzNDJSON", dependencies: ["BursarCore", "FuzzDriver"], path: "Fuzz/FuzzNDJSON", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzOTLP", dependencies: ["BursarCore", "BursarOTLP", "FuzzDriver"], path: "Fuzz/FuzzOTLP", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzRequestHead", dependencies: ["BursarCore", "BursarHTTP", "HTTPToolkit", "BursarServices", "BursarStorage", "BursarSQLite", "FuzzDriver",
                                                                 .product(name: "Logging", package: "swift-log")], path: "Fuzz/FuzzRequestHead", swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzPolicy", dependencies: ["BursarCore", "BursarServices", "BursarSQLite", "BursarStorage", "FuzzDriver"], path: "Fuzz/FuzzPolicy", swiftSettings: swiftSettings),
    ]
}
