import BursarCore
import Logging

/// Everything Bursar keeps, as one store. A backend (SQLite, PostgreSQL) implements each part
/// and passes `StorageConformance`.
public protocol Storage: SpendStore, ReplayReader, EventExplorer, KeyStore, PriceStore, PolicyStore, OverrideStore, BudgetStore,
    AlertStore, AuditStore, FleetStore, BundleStore, RetentionStore, BackupStore, SingletonLease {
    /// Stamps what is written (audit entries, key and policy times, when events arrived).
    var clock: WallClock { get }
    /// Throws when a write cannot be made now: the store does not answer, or it has no room
    /// left (`StorageFull`). For readiness checks.
    func checkWritable() throws
    /// How much more the store can take.
    func room() throws -> StorageRoom
    /// Every committed change: this process's admin writes and ingest commits, and other
    /// processes' changes to a shared store (heard once `startBackground` has started).
    var changes: ChangeFeed { get }
    /// Starts what the store runs in the background while a server uses it: SQLite copies its
    /// write-ahead log back into the file; PostgreSQL hears what other replicas change. Once;
    /// later calls do nothing.
    func startBackground(logger: Logger) throws
    /// Stops it; the store stays open.
    func stopBackground()
}

extension Storage {
    /// The bundle for the state stored now: its content read in one snapshot, then issued.
    public func routerBundle(now: Int64, catalog: PriceCatalog, freshness: BundleFreshness = .standard) throws -> RouterBundle {
        let content = try bundleContent(now: now)
        return try RouterBundle(content, catalog: catalog, now: now, freshness: freshness) { revision in
            try bundleIssue(for: revision, policy: content.policy, now: now, reissueAfter: freshness.reissueAfterMillis)
        }
    }
}
