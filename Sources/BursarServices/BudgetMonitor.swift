import BursarCore
import BursarStorage
import Foundation
import Logging
import Synchronization
import Locking

/// The one place that evaluates budgets and records their state changes, driven by writes
/// and by time, never by reads: after commits of new spend (at most every
/// `minimumIntervalMillis`), at once after an admin change, and when a budget period ends or
/// an override expires (the bundle's `valid_until`).
///
/// Each evaluation builds the router bundle (active policy, overrides, budget states), signs
/// and publishes it, then records the budgets whose state changed with their alerts and
/// webhook deliveries (one transaction) and wakes the alert delivery. A failed evaluation is
/// retried by the next pass (within a second) until one succeeds.
public final class BudgetMonitor: Sendable {
    /// A stream of commits costs at most one evaluation per this many milliseconds.
    public static let minimumIntervalMillis: Int64 = 100
    /// While evaluations fail (the database is down), they are retried this often at most.
    public static let retryIntervalMillis: Int64 = 1_000

    private let database: any Storage
    private let prices: PriceBook
    private let publisher: BundlePublisher
    private let alerts: AlertDelivery?
    private let clock: WallClock
    private let freshness: BundleFreshness
    private let logger: Logger
    private let service = BackgroundService(name: "bursar-budget-monitor")
    /// New spend was committed since the last evaluation.
    private let spendChanged = Atomic<Bool>(false)
    /// The last evaluation failed: the next pass evaluates again.
    private let retryNeeded = Atomic<Bool>(false)
    /// Evaluations one at a time, and when the last one ended (monotonic).
    private let evaluation = Locked<ContinuousClock.Instant?>(nil)
    /// Evaluations that failed since start.
    private let failures = Atomic<Int>(0)
    /// Passes of the background service that have ended (it then sleeps until the next boundary).
    private let passes = Atomic<Int>(0)
    /// Since when evaluations have failed (wall-clock milliseconds), nil while the last succeeded.
    private let failingSince = Locked<Int64?>(nil)

    public init(database: any Storage, prices: PriceBook, publisher: BundlePublisher, alerts: AlertDelivery?,
                clock: WallClock, freshness: BundleFreshness = .standard, logger: Logger) {
        self.freshness = freshness
        self.logger = logger
        self.database = database
        self.prices = prices
        self.publisher = publisher
        self.alerts = alerts
        self.clock = clock
    }

    /// Evaluates once (so a bundle is published before the first request), then runs.
    public func start() {
        evaluateOnce()
        clock.observeMoves { [service] in service.wake() }
        service.start { [self] in pass() }
    }

    /// New spend was committed, or another replica changed the store: evaluate again soon.
    public func storeChanged() {
        spendChanged.store(true, ordering: .releasing)
        service.wake()
    }

    /// Evaluates now, on the caller's thread: after an admin change, so that the caller's next
    /// read of the bundle already has it. The background pass is woken to sleep towards the
    /// new bundle's boundary (it may come sooner than the one it slept towards), and retries a
    /// failed evaluation within a second (it must not wait for the next commit: the change it
    /// missed may be the last one).
    public func evaluate() {
        evaluateOnce()
        service.wake()
    }

    /// One evaluation; a failure is recorded for the next pass to retry.
    private func evaluateOnce() {
        evaluation.withLock { ended in
            do {
                try evaluateNow()
                failingSince.withLock { $0 = nil }
            } catch {
                retryNeeded.store(true, ordering: .releasing)
                failures.add(1, ordering: .relaxed)
                let now = clock()
                failingSince.withLock { $0 = $0 ?? now }
                logger.error("budget evaluation failed; routers keep the last bundle until it is retried",
                             metadata: ["error": "\(error)"])
            }
            ended = ContinuousClock.now
        }
    }

    public func stop() {
        service.stop()
    }

    /// When budget evaluations started failing (routers then keep an older bundle), or nil
    /// while the last one succeeded: readiness reports it.
    public var failingSinceMillis: Int64? { failingSince.withLock { $0 } }

    /// Passes of the background service that have ended: once one has, the monitor sleeps
    /// until the bundle's next boundary unless woken (by new spend or a moved clock).
    public var completedPasses: Int { passes.load(ordering: .acquiring) }

    /// Evaluations that failed since start (each is logged; retried at most once a second).
    public var failedEvaluationCount: Int { failures.load(ordering: .relaxed) }

    /// Evaluates when spend changed or the bundle ran out; returns the pause until the next
    /// boundary (a period's end, an override's expiry, the next re-issue), or until the next
    /// retry while evaluations fail. A moved clock wakes it sooner.
    private func pass() -> Int64 {
        if let ended = evaluation.withLock({ $0 }) {
            let interval = failingSinceMillis == nil ? Self.minimumIntervalMillis : Self.retryIntervalMillis
            let wait = Duration.milliseconds(interval) - (ContinuousClock.now - ended)
            if wait > .zero { Thread.sleep(forTimeInterval: wait / .seconds(1)) }
        }
        let current = try? publisher.current()
        let ranOut = current?.bundle.validUntil.map { $0 <= clock() } ?? false
        let retry = retryNeeded.exchange(false, ordering: .acquiringAndReleasing)
        if spendChanged.exchange(false, ordering: .acquiringAndReleasing) || retry || ranOut || current == nil {
            evaluateOnce()
        }
        defer { passes.add(1, ordering: .releasing) }
        guard failingSinceMillis == nil, let next = (try? publisher.current())?.bundle.validUntil else { return Self.retryIntervalMillis }
        return min(max(next - clock(), 1), WallClock.longestSleepMillis)
    }

    private func evaluateNow() throws {
        let now = clock()
        let bundle = try database.routerBundle(now: now, catalog: prices.current.catalog, freshness: freshness)
        let published = BundlePublisher.Published(bundle: bundle, signature: try publisher.signer.signatureHeader(for: bundle.body),
                                                  routing: bundle.routing, engine: PolicyEngine(bundle: bundle.routing))
        // Routers first: a budget's action takes effect even if recording its alert fails (and is retried).
        publisher.publish(published)
        // One replica records state changes, from its own evaluations in order (replicas
        // evaluating older snapshots at once would record a crossing back and forth).
        guard database.holdsSingletonLease() else { return }
        let recorded = try database.recordStateChanges(bundle.budgets, now: now, webhooks: alerts?.urls ?? [])
        if !recorded.isEmpty { alerts?.wake() }
    }
}
