import BursarCore

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
    /// Calls `observer` (on a thread of the store's) when another process changed the store;
    /// at least once after any change, possibly more. A store only one process opens never calls it.
    func observeOtherWriters(_ observer: @escaping @Sendable (StoreChange) -> Void)
}

extension Storage {
    /// The bundle for the state stored now.
    public func routerBundle(now: Int64, catalog: PriceCatalog, freshness: BundleFreshness = .standard) throws -> RouterBundle {
        let policy = try activePolicy()
        return try RouterBundle(policy: policy, overrides: try overrides(activeAt: now), budgets: try budgetStatuses(now: now),
                                catalog: catalog, now: now, freshness: freshness) { revision in
            try bundleIssue(for: revision, policy: policy, now: now, reissueAfter: freshness.reissueAfterMillis)
        }
    }
}
