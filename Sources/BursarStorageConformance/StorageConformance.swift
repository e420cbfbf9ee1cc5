import BursarCore
import BursarStorage

/// The storage conformance suite: what every backend must do, written once against the
/// protocols (as Fluent's FluentBenchmarker is). A backend's test target runs every check:
///
///     @Test(arguments: StorageConformance.checks)
///     func conforms(_ check: StorageConformance.Check) throws { try check.run(on: MyBackend()) }
///
/// A new backend is done when it passes all of them.
public enum StorageConformance {
    /// One thing a backend must do; throws `ConformanceFailure` when it does not.
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any StorageBackend) throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (any StorageBackend) throws -> Void) {
            self.name = name
            self.body = body
        }

        public var description: String { name }

        public func run(on backend: any StorageBackend) throws {
            try body(backend)
        }
    }

    public static let checks: [Check] = ingestChecks + spendChecks + budgetChecks + policyChecks + adminChecks + lifecycleChecks + explorerChecks
}

/// A storage backend under test: each call opens a new, empty store.
public protocol StorageBackend: Sendable {
    /// A new, empty store reading `clock`, with its ingest writer (queue bounded at
    /// `maximumQueuedEvents` events).
    func open(clock: WallClock, maximumQueuedEvents: Int) throws -> StoreUnderTest
    /// The store a backup written by `backup(to: path)` holds.
    func openBackup(at path: String) throws -> any Storage
    /// A place for `backup(to:)` to write to.
    func backupPath() -> String
    /// Drops the user rollups of `storage` and rebuilds them from the detail rollups, as the
    /// migration that gave user rows their source does.
    func rebuildUserRollups(_ storage: any Storage) throws
    /// The most one rollup counter of one row holds when one writer writes it (PostgreSQL's
    /// replicas keep room for each other's shards: `PostgresDatabase.counterCeiling`).
    var counterCeiling: Int64 { get }
}

extension StorageBackend {
    public var counterCeiling: Int64 { .max }
}

/// A store and its ingest writer, closed by the check that opened it.
public struct StoreUnderTest: Sendable {
    public let storage: any Storage
    public let ingest: any EventIngest

    public init(storage: any Storage, ingest: any EventIngest) {
        self.storage = storage
        self.ingest = ingest
    }
}

extension StorageBackend {
    /// Runs `body` with a new store (on a clock standing at `now`), closing its writer after.
    func withStore<T>(now: Int64 = Fixtures.start, maximumQueuedEvents: Int = 200_000,
                      _ body: (StoreUnderTest) throws -> T) throws -> T {
        let store = try open(clock: .fixed(now), maximumQueuedEvents: maximumQueuedEvents)
        store.ingest.start()
        defer { store.ingest.close() }
        return try body(store)
    }
}
