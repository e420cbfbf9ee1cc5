import BursarCore
import BursarStorage
import Locking
import Logging
import Synchronization

/// A running Bursar: every service, made from its storage, its ingest, its signer, its clock
/// and its options. Making one starts nothing and reads nothing; `start()` runs the steps of
/// `startOrder` in order (reading what the services need, then starting them); `stop()`, once
/// the HTTP server has drained, stops them in reverse. `bursar serve` and the tests build it
/// alike; the HTTP API is the route table over it.
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

    /// One step of `start()`, and what `stop()` undoes of it.
    struct Step {
        let name: String
        let start: () throws -> Void
        let stop: () -> Void
    }

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
    public let logger: Logger
    private let started = Atomic<Bool>(false)
    private let subscribed = Atomic<Bool>(false)
    /// How many steps have started (what `stop` undoes).
    private let startedSteps = Locked(0)
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
        alerts = AlertDelivery(urls: options.alertWebhooks, database: storage, clock: clock, caFile: options.webhookCAFile,
                               logger: Self.logger(logger, service: "alerts"))
        monitor = BudgetMonitor(database: storage, prices: prices, publisher: publisher, alerts: alerts, clock: clock,
                                freshness: options.bundleFreshness, logger: Self.logger(logger, service: "budgets"))
        retention = options.rawEventRetentionDays.map {
            RawEventRetention(database: storage, retainDays: $0, clock: clock, logger: Self.logger(logger, service: "retention"))
        }
    }

    /// `logger` with the service it logs for in its metadata.
    public static func logger(_ logger: Logger, service: String) -> Logger {
        var named = logger
        named[metadataKey: "service"] = "\(service)"
        return named
    }

    /// What `start()` does, in order; `stop()` undoes it in reverse.
    var steps: [Step] {
        [
            Step(name: "read the prices and the savings baseline", start: { [self] in try readCatalog(); try readBaseline() }, stop: {}),
            // Weak: the store (which holds the feed) must not keep its application alive.
            // Changes heard once the monitor stops are not followed.
            // Subscribed once: a start retried after a failure is not told twice.
            Step(name: "subscribe to the change feed",
                 start: { [self] in
                     stopped.store(false, ordering: .releasing)
                     if !subscribed.exchange(true, ordering: .acquiringAndReleasing) {
                         storage.changes.observe { [weak self] change in self?.changed(change) }
                     }
                 },
                 stop: { [self] in stopped.store(true, ordering: .releasing) }),
            Step(name: "long-poll expiry", start: publisher.start, stop: publisher.close),
            Step(name: "alert delivery (a thread per webhook)", start: alerts.start, stop: alerts.stop),
            // Evaluates at once (a bundle before the first request); once more when stopping, so
            // that a state crossed by the last events is recorded and its alert queued.
            Step(name: "budget monitor", start: monitor.start, stop: { [self] in
                monitor.evaluate()
                stopped.store(true, ordering: .releasing)
                monitor.stop()
            }),
            Step(name: "ingest writer", start: ingest.start, stop: ingest.close),
            Step(name: "raw-event retention", start: { [self] in retention?.start() }, stop: { [self] in retention?.stop() }),
            Step(name: "the store's background (SQLite's checkpointer; hearing other PostgreSQL replicas)",
                 start: { [self] in try storage.startBackground(logger: Self.logger(logger, service: "storage")) },
                 stop: storage.stopBackground),
        ]
    }

    /// The steps' names, in start order (`stop()` goes the other way).
    public var startOrder: [String] { steps.map(\.name) }

    /// Calls `observer` after every admin change (this replica's or another's).
    public func observeAdminChanges(_ observer: @escaping @Sendable () -> Void) {
        adminChangeObservers.withLock { $0.append(observer) }
    }

    /// Runs every step of `startOrder` (once it has succeeded, later calls do nothing). When
    /// a step fails (the prices cannot be read), those before it are undone in reverse and the
    /// error is thrown; `start()` may then be called again.
    public func start() throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            for step in steps {
                try step.start()
                startedSteps.withLock { $0 += 1 }
            }
        } catch {
            undoStartedSteps()
            started.store(false, ordering: .releasing)
            throw error
        }
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
        undoStartedSteps()
    }

    /// Stops the steps that started, in reverse.
    private func undoStartedSteps() {
        let count = startedSteps.withLock { count in
            defer { count = 0 }
            return count
        }
        for step in steps.prefix(count).reversed() { step.stop() }
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
