import BursarCore
import BursarStorage
import Locking
import Logging
import Synchronization

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
        "the change feed's one subscriber",
        "long-poll expiry",
        "alert delivery (a thread per webhook)",
        "budget monitor (evaluates once: a bundle before the first request)",
        "ingest writer",
        "raw-event retention",
        "hearing other replicas' changes (PostgreSQL)",
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
    /// Told after every admin change, once the prices are read again and before budgets are
    /// evaluated (keys cached elsewhere are forgotten).
    private let adminChangeObservers = Locked<[@Sendable () -> Void]>([])
    private let logger: Logger
    private let started = Atomic<Bool>(false)
    /// Set once the monitor stops: changes heard after it are not followed.
    private let stopped = Atomic<Bool>(false)
    /// The last read of the prices or baseline after a change failed: the next change reads them.
    private let pricesUnread = Atomic<Bool>(false)

    public init(storage: any Storage, ingest: any EventIngest, signer: BundleSigner, clock: WallClock, options: Options,
                logger: Logger) {
        self.storage = storage
        self.logger = logger
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

    /// Calls `observer` after every admin change (this replica's or another's).
    public func observeAdminChanges(_ observer: @escaping @Sendable () -> Void) {
        adminChangeObservers.withLock { $0.append(observer) }
    }

    /// Starts every service in `startOrder` (once; later calls do nothing).
    public func start() throws {
        guard !started.load(ordering: .acquiring) else { return }
        try readCatalog()
        try readBaseline()
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Weak: the store (which holds the feed) must not keep its application alive.
        storage.changes.observe { [weak self] change in self?.changed(change) }
        publisher.start()
        alerts.start()
        monitor.start()
        ingest.start()
        retention?.start()
        storage.listenForChanges()
    }

    /// The first step of a shutdown, before the HTTP server drains: retention ends (its
    /// deletes would compete with the drain's last commits), every held long poll is answered
    /// and no more are held, so the drain does not wait for them.
    public func beginStopping() {
        retention?.stop()
        publisher.close()
    }

    /// Stops the services in reverse once the HTTP server has drained: the last events are
    /// committed, the budgets are evaluated one last time (so a state crossed by those events
    /// is recorded and its alert queued), then evaluation and webhook delivery end (what is
    /// undelivered stays queued for the next start).
    public func stop() {
        beginStopping()
        ingest.close()
        monitor.evaluate()
        stopped.store(true, ordering: .releasing)
        monitor.stop()
        alerts.stop()
        publisher.close()
    }

    /// The price catalog in force, as stored now.
    private func readCatalog() throws {
        prices.replace(try storage.currentPriceCatalog())
    }

    /// The savings baseline: the active policy's, else `options.baselineModel` (on every
    /// replica alike, whichever activated the policy).
    private func readBaseline() throws {
        prices.setBaseline(try storage.activePolicy()?.policy.baselineModel ?? options.baselineModel)
    }

    /// The change feed's one subscriber, on the thread that committed the change (or heard
    /// of it). An admin change (a key, prices, a policy, an override, a budget): cached
    /// keys are forgotten, the prices and the savings baseline read again and budgets evaluated at
    /// once, so the writer's next read of the bundle already has it. New spend: budgets are
    /// evaluated soon (at most every 100 ms).
    private func changed(_ change: StoreChange) {
        guard !stopped.load(ordering: .acquiring) else { return }
        if change == .admin {
            for observer in adminChangeObservers.withLock({ $0 }) { observer() }
        }
        // Read again after an admin change, and after any change while a read failed.
        if change == .admin || pricesUnread.load(ordering: .acquiring) {
            do {
                try readCatalog()
                try readBaseline()
                pricesUnread.store(false, ordering: .releasing)
            } catch {
                pricesUnread.store(true, ordering: .releasing)
                logger.error("could not read the prices and savings baseline after a change; the last stay in force until the next change reads them",
                             metadata: ["error": "\(error)"])
            }
        }
        switch change {
        case .admin: monitor.evaluate()
        case .spend: monitor.storeChanged()
        }
    }
}
