/// Online copies of the whole store.
public protocol BackupStore: Sendable {
    /// A consistent copy at `path`, taken while ingest goes on.
    func backup(to path: String) throws
}
