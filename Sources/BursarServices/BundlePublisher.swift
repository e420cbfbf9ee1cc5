import Locking
import BursarCore
import BursarStorage

/// The bundle routers pull, as last built by the budget monitor, and the routers waiting for
/// it to change (long polls). Reading it never builds it and never writes: a waiting router
/// holds no thread, only a callback, called when a new revision is published or its wait
/// runs out.
public final class BundlePublisher: Sendable {
    public struct Published: Sendable {
        public let bundle: RouterBundle
        public let signature: String
        /// The bundle as routing reads it, and its engine (nil without an active policy).
        public let routing: RoutingBundle
        public let engine: PolicyEngine?
        /// The content's revision, its issue's serial and time (epoch ms): one ETag per body
        /// served; the same content issued again (fresher) is a new one, so that routers fetch
        /// its new `stale_after`. Made once: every poll compares it.
        public let etag: String

        public init(bundle: RouterBundle, signature: String, routing: RoutingBundle, engine: PolicyEngine?) {
            self.bundle = bundle
            self.signature = signature
            self.routing = routing
            self.engine = engine
            etag = "\"\(bundle.revision)-\(bundle.issue.serial)-\(bundle.issue.issuedAt)\""
        }

        /// Whether a router holding the bundle of `etag` holds this one, or the same content
        /// issued since: another replica may have issued it again before this one has heard,
        /// and must not hand the router its older issue (the router would refuse it).
        public func isHeld(byETag etag: String) -> Bool {
            if etag == self.etag || etag == "*" { return true }
            let text = etag.utf8.first == UInt8(ascii: "\"") && etag.utf8.last == UInt8(ascii: "\"") && etag.utf8.count >= 2
                ? etag.dropFirst().dropLast() : Substring(etag)
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, let serial = Int64(parts[1]), let issuedAt = Int64(parts[2]) else { return false }
            return parts[0] == bundle.revision && (issuedAt, serial) >= (bundle.issue.issuedAt, bundle.issue.serial)
        }
    }

    /// What a waiting router is told: the bundle as of now, and whether it differs from the
    /// one it holds (false when its wait ran out or the server is stopping).
    public typealias Notify = @Sendable (_ published: Published?, _ changed: Bool) -> Void

    struct Waiter {
        var etag: String
        /// A wait is a duration, not a time of day: measured on the monotonic clock.
        var deadline: ContinuousClock.Instant
        var notify: Notify
    }

    struct State {
        var published: Published?
        var waiters: [Waiter] = []
        /// When the expiry service next looks (the earliest deadline it saw), nil when none waits.
        var nextExpiry: ContinuousClock.Instant?
        var closed = false
    }

    /// Nothing has been published yet (the first evaluation failed); answered 503.
    public struct NotBuilt: Error, Sendable {}

    public static let maximumWaitSeconds = 60

    public let signer: BundleSigner
    private let state = Locked(State())
    private let expiry = BackgroundService(name: "bursar-long-polls")

    public init(signer: BundleSigner) {
        self.signer = signer
    }

    /// Starts answering waits that run out, each at its deadline.
    public func start() {
        expiry.start { [self] in endWaitsRunOut() }
    }

    /// Requests waiting for a change.
    public var heldRequests: Int { state.withLock { $0.waiters.count } }

    /// The bundle last published.
    public func current() throws -> Published {
        guard let published = state.withLock({ $0.published }) else { throw NotBuilt() }
        return published
    }

    /// Makes `published` current and tells the routers waiting on another bundle (another
    /// revision, or an earlier issue of this one).
    func publish(_ published: Published) {
        let woken: [Waiter] = state.withLock { state in
            let changed = state.published?.etag != published.etag
            state.published = published
            guard changed else { return [] }
            let woken = state.waiters.filter { !published.isHeld(byETag: $0.etag) }
            state.waiters.removeAll { !published.isHeld(byETag: $0.etag) }
            return woken
        }
        for waiter in woken { waiter.notify(published, true) }
    }

    /// Calls `notify` when the bundle is no longer `etag` (at once if it is not now), or with
    /// `changed: false` after `seconds` or when the server stops.
    public func wait(ifNoneMatch etag: String, seconds: Int, notify: @escaping Notify) {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let (published, answer, soonest) = state.withLock { state -> (Published?, Bool?, Bool) in
            if state.closed { return (state.published, false, false) }
            if let published = state.published, !published.isHeld(byETag: etag) { return (published, true, false) }
            state.waiters.append(Waiter(etag: etag, deadline: deadline, notify: notify))
            // The expiry service sleeps until the earliest deadline it knows: only a wait
            // that ends sooner wakes it (polls of one length never do).
            let soonest = state.nextExpiry.map { deadline < $0 } ?? true
            if soonest { state.nextExpiry = deadline }
            return (state.published, nil, soonest)
        }
        if let answer { notify(published, answer) }
        if soonest { expiry.wake() }
    }

    /// Answers every waiting request (unchanged) and stops taking waits; for shutdown.
    public func close() {
        let (waiters, published) = state.withLock { state -> ([Waiter], Published?) in
            defer { state.closed = true; state.waiters = [] }
            return (state.waiters, state.published)
        }
        expiry.stop()
        for waiter in waiters { waiter.notify(published, false) }
    }

    /// Waits that ran out are answered (unchanged); returns the milliseconds until the next
    /// one runs out (an hour when none waits: a new wait that ends sooner wakes the service).
    private func endWaitsRunOut() -> Int64 {
        let now = ContinuousClock.now
        let (expired, published, next) = state.withLock { state -> ([Waiter], Published?, ContinuousClock.Instant?) in
            let expired = state.waiters.filter { $0.deadline <= now }
            state.waiters.removeAll { $0.deadline <= now }
            state.nextExpiry = state.waiters.map(\.deadline).min()
            return (expired, state.published, state.nextExpiry)
        }
        for waiter in expired { waiter.notify(published, false) }
        guard let next else { return 3_600_000 }
        let (seconds, attoseconds) = (next - now).components
        return seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
