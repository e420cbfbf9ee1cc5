import BursarCore
import HTTPToolkit
import BursarStore
import Foundation

/// Builds the router bundle once per change, signs it, and answers long polls: a waiting
/// request holds no thread (it is a `PendingResponse`), and is completed when the revision
/// changes or its wait runs out.
public final class BundlePublisher: Sendable {
    struct Published {
        var bundle: RouterBundle
        var signature: String
        /// The bundle as routing reads it, and its engine (nil without an active policy).
        var routing: RoutingBundle
        var engine: PolicyEngine?
        var etag: String { "\"\(bundle.revision)\"" }
    }

    struct Waiter {
        var etag: String
        var deadline: Int64
        var seconds: Int
        var pending: PendingResponse
    }

    struct State {
        var published: Published?
        /// The `changes` count the published bundle was built at.
        var builtAtChange = 0
        /// A rebuild for new spend is under way (readers meanwhile get the last bundle).
        var refreshing = false
        var waiters: [Waiter] = []
        var closed = false
    }

    public static let maximumWaitSeconds = 60

    private let database: BursarDatabase
    private let prices: PriceBook
    public let signer: BundleSigner
    private let clock: @Sendable () -> Int64
    /// A count that grows when stored spend changes (the writer's commits).
    private let changes: @Sendable () -> Int
    /// Delivers the alerts of budgets that change state (queued with them in the database).
    private let alerts: AlertDelivery?
    private let state = Locked(State())
    private let stopped = DispatchSemaphore(value: 0)

    public init(database: BursarDatabase, prices: PriceBook, signer: BundleSigner,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
                changes: @escaping @Sendable () -> Int = { 0 }, alerts: AlertDelivery? = nil) {
        self.database = database
        self.changes = changes
        self.alerts = alerts
        self.prices = prices
        self.signer = signer
        self.clock = clock
        let thread = Thread { [self] in tick() }
        thread.name = "bursar-bundle-timer"
        thread.start()
    }

    /// Requests waiting for a change.
    public var heldRequests: Int { state.withLock { $0.waiters.count } }

    /// The bundle as of now (rebuilt if anything was committed or expired since it was built).
    ///
    /// After new commits, one reader rebuilds while the others keep getting the last bundle,
    /// so a burst of polls during ingest does not run the budget queries once per poll.
    func current() throws -> Published {
        let change = changes()
        let now = clock()
        let (cached, refresh) = state.withLock { state -> (Published?, Bool) in
            guard let published = state.published, published.bundle.validUntil.map({ now < $0 }) ?? true else { return (nil, true) }
            guard state.builtAtChange != change, !state.refreshing else { return (published, false) }
            state.refreshing = true
            return (published, true)
        }
        if let cached, !refresh { return cached }
        defer { if cached != nil { state.withLock { $0.refreshing = false } } }
        return try rebuild()
    }

    /// Rebuilds after an admin change and wakes the routers waiting for one.
    public func invalidate() {
        _ = try? rebuild()
    }

    @discardableResult
    private func rebuild() throws -> Published {
        let change = changes()
        let now = clock()
        let bundle = try database.routerBundle(now: now, catalog: prices.current.catalog)
        let routing = try RoutingBundle.parse(bundle.body)
        let published = Published(bundle: bundle, signature: try signer.signatureHeader(for: bundle.body),
                                  routing: routing, engine: PolicyEngine(bundle: routing))
        let recorded = try database.recordStateChanges(bundle.budgets, now: now, webhooks: alerts?.urls ?? [])
        if !recorded.isEmpty { alerts?.wake() }
        let woken: [Waiter] = state.withLock { state in
            let changed = state.published?.bundle.revision != bundle.revision
            state.published = published
            state.builtAtChange = change
            guard changed else { return [] }
            let woken = state.waiters.filter { $0.etag != published.etag }
            state.waiters.removeAll { $0.etag != published.etag }
            return woken
        }
        for waiter in woken {
            waiter.pending.complete(Self.response(published, waited: waiter.seconds))
        }
        return published
    }

    /// A response for a router that already holds `etag`: at once if it is stale, else
    /// when the revision changes or `seconds` pass (then 304).
    func wait(ifNoneMatch etag: String, seconds: Int) throws -> Reply {
        let published = try current()
        guard published.etag == etag else { return .response(Self.response(published, waited: seconds)) }
        let pending = PendingResponse()
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.waiters.append(Waiter(etag: etag, deadline: clock() + Int64(seconds) * 1000, seconds: seconds, pending: pending))
            return true
        }
        guard accepted else { return .response(Self.notModified(published, waited: seconds)) }
        return .pending(pending)
    }

    /// Answers every waiting request (304) and stops waiting; for shutdown.
    public func close() {
        let (waiters, wasClosed) = state.withLock { state -> ([Waiter], Bool) in
            defer { state.closed = true; state.waiters = [] }
            return (state.waiters, state.closed)
        }
        guard !wasClosed else { return }
        alerts?.stop()
        let published = state.withLock { $0.published }
        for waiter in waiters {
            waiter.pending.complete(published.map { Self.notModified($0, waited: waiter.seconds) } ?? Response(status: 304))
        }
        stopped.wait()
    }

    /// Every 100 ms: waits that ran out get 304; new spend (a budget may have changed state),
    /// an override that expired or a period that ended rebuilds the bundle.
    private func tick() {
        while !state.withLock({ $0.closed }) {
            Thread.sleep(forTimeInterval: 0.1)
            let now = clock()
            let (expired, published, builtAt) = state.withLock { state -> ([Waiter], Published?, Int) in
                let expired = state.waiters.filter { $0.deadline <= now }
                state.waiters.removeAll { $0.deadline <= now }
                return (expired, state.published, state.builtAtChange)
            }
            for waiter in expired {
                waiter.pending.complete(published.map { Self.notModified($0, waited: waiter.seconds) } ?? Response(status: 304))
            }
            if let validUntil = published?.bundle.validUntil, validUntil <= now {
                invalidate()
            } else if published == nil || changes() != builtAt {
                invalidate()
            }
        }
        stopped.signal()
    }

    static func response(_ published: Published, waited: Int?) -> Response {
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"), ("ETag", published.etag), ("Cache-Control", "no-cache"),
            ("Bursar-Signature", published.signature),
        ]
        if let waited { headers.append(("Preference-Applied", "wait=\(waited)")) }
        return Response(status: 200, headers: headers, body: published.bundle.body)
    }

    static func notModified(_ published: Published, waited: Int?) -> Response {
        var headers: [(String, String)] = [("ETag", published.etag), ("Cache-Control", "no-cache")]
        if let waited { headers.append(("Preference-Applied", "wait=\(waited)")) }
        return Response(status: 304, headers: headers)
    }
}
