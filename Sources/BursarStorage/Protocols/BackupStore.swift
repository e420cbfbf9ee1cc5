/// Online copies of the whole store.
public protocol BackupStore: Sendable {
    /// A consistent copy at `path`, taken while ingest goes on; `progress` hears how far it
    /// has come, now and then, on the calling thread.
    func backup(to path: String, progress: (BackupProgress) -> Void) throws
}

extension BackupStore {
    /// A consistent copy at `path`, taken while ingest goes on.
    public func backup(to path: String) throws {
        try backup(to: path, progress: { _ in })
    }
}

/// How far a backup has come: `done` of `total` bytes. When `total` is an estimate (a
/// compressed dump ends below the database's size), `isEstimate` says so.
public struct BackupProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var isEstimate: Bool

    public init(done: Int, total: Int, isEstimate: Bool = false) {
        self.done = done
        self.total = total
        self.isEstimate = isEstimate
    }
}
