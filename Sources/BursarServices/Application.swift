import BursarCore
import BursarStorage
import Locking

/// A running Bursar: every service, made from its storage, its ingest, its signer, its clock
/// and its options. Making one starts nothing and reads nothing; `start()` reads what the
/// services need and starts them in `startOrder`; `stop()`, once the HTTP server has drained,
/// stops them in reverse. `bursar serve` and the tests build it alike; the HTTP API is the
/// route table over it.
public final class Application: Sendable {
    public struct Options: Sendable {
        /// Savings are measured against this model while no active policy names a baseline tier.
        public var baselineModel: ModelKey
        public var alertWebhooks: [String] = []
        /// The only CA alert webhooks' certificates may chain to (nil: the system's).
        public var webhookCAFile: String?
        /// Raw events older than this many days are deleted (nil: kept for ever).
        public var rawEventRetentionDays: Int?
        public var bundleFreshness: BundleFreshness = .standard

        public init(baselineModel: ModelKey) {
            self.baselineModel = baselineModel
        }
    }

    /// What `start()` starts, in order (`stop()` goes the other way).
    public static let startOrder = [
        "prices and the savings baseline (read)",
        "long-poll expiry",
        "alert delivery (a thread per webhook)",
        "budget monitor (evaluates once: a bundle before the first request)",
        "ingest writer",
        "raw-event retention",
    ]

    public let storage: any Storage
    public let ingest: any EventIngest
    public let clock: WallClock
    public let options: Options
    public let prices: PriceBook
    public let publisher: BundlePublisher
    public let alerts: AlertDelivery
    public let monitor: BudgetMonitor
    public let retention: RawEventRetention?
    /// Told when an admin change was made by another replica (keys cached elsewhere are forgotten).
    private let adminChangeObservers = Locked<[@Sendable () -> Void]>([])

    public init(storage: any Storage, ingest: any EventIngest, signer: BundleSigner, clock: WallClock, options: Options) {
        self.storage = storage
        self.ingest = ingest
        self.clock = clock
        self.options = options
        prices = PriceBook(catalog: .empty, baselineModel: options.baselineModel)
        publisher = BundlePublisher(signer: signer)
        alerts = AlertDelivery(urls: options.alertWebhooks, database: storage, clock: clock, caFile: options.webhookCAFile)
        monitor = BudgetMonitor(database: storage, prices: prices, publisher: publisher, alerts: alerts, clock: clock,
                                freshness: options.bundleFreshness)
        retention = options.rawEventRetentionDays.map { RawEventRetention(database: storage, retainDays: $0, clock: clock) }
    }

    /// Calls `observer` after another replica's admin change has been followed here.
    public func observeAdminChanges(_ observer: @escaping @Sendable () -> Void) {
        adminChangeObservers.withLock { $0.append(observer) }
    }

    /// Starts every service in `startOrder`.
    public func start() throws {
        try readPrices()
        publisher.start()
        alerts.start()
        monitor.start()
        // Budgets move with ingest: they are evaluated (at most every 100 ms) after commits.
        ingest.observeCommits { [monitor] in monitor.storeChanged() }
        ingest.start()
        // Replicas on one PostgreSQL: what another one changed is followed here too.
        storage.observeOtherWriters { [self] change in
            if change == .admin { followAdminChange() }
            monitor.storeChanged()
        }
        retention?.start()
    }

    /// The first step of a shutdown, before the HTTP server drains: every held long poll is
    /// answered and no more are held, so the drain does not wait for them.
    public func closeLongPolls() {
        publisher.close()
    }

    /// Stops the services in reverse once the HTTP server has drained: retention ends, the
    /// last events are committed, the budgets are evaluated one last time (so a state crossed
    /// by those events is recorded and its alert queued), then evaluation and webhook delivery
    /// end (what is undelivered stays queued for the next start).
    public func stop() {
        retention?.stop()
        ingest.close()
        monitor.evaluate()
        monitor.stop()
        alerts.stop()
        publisher.close()
    }

    /// The price catalog and the savings baseline, as stored now.
    private func readPrices() throws {
        let catalog = try storage.currentPriceCatalog()
        if catalog.version != prices.current.catalog.version { prices.replace(catalog) }
        prices.setBaseline(try storage.activePolicy()?.policy.baselineModel ?? options.baselineModel)
    }

    /// After another replica's admin change: the prices and the savings baseline are read
    /// again (the bundle follows through the monitor) and the observers told.
    private func followAdminChange() {
        try? readPrices()
        for observer in adminChangeObservers.withLock({ $0 }) { observer() }
    }
}
