import Locking
import BursarCore
import Foundation

/// What a Swift router needs from Bursar in one place: the current bundle (kept fresh by a
/// `BundleClient`), decisions on it, per-tier circuit breakers fed by the router's outcomes,
/// and an `EventShipper` for every attempt.
///
/// ```swift
/// let bursar = try RouterClient(url: "https://bursar.internal:8443", key: routerKey, instanceID: "edge-1",
///                               stateDirectory: "/var/lib/my-router/bursar")
/// bursar.start()
/// let decision = bursar.decide(RoutingRequest(user: "u-1", feature: "support-chat", complexity: 0.2))
/// … call decision.models in order …
/// bursar.record(tier: decision.tier, success: true)
/// bursar.events.ship(event)
/// ```
public final class RouterClient: Sendable {
    public let bundles: BundleClient
    public let events: EventShipper
    private let breakers = Locked<[String: CircuitBreakerState]>([:])

    /// `stateDirectory` keeps the last good bundle and the event spool (nil: memory only).
    public init(endpoint: BursarEndpoint, instanceID: String, stateDirectory: String?, publicKey: String? = nil,
                configure: (inout BundleClient.Configuration, inout EventShipper.Configuration) -> Void = { _, _ in }) throws {
        var bundleConfiguration = BundleClient.Configuration(endpoint: endpoint, instanceID: instanceID,
                                                             cacheDirectory: stateDirectory.map { $0 + "/bundle" }, publicKey: publicKey)
        var shipperConfiguration = EventShipper.Configuration(endpoint: endpoint, spoolDirectory: stateDirectory.map { $0 + "/spool" })
        configure(&bundleConfiguration, &shipperConfiguration)
        bundles = BundleClient(configuration: bundleConfiguration)
        events = try EventShipper(configuration: shipperConfiguration)
    }

    /// `url` is `https://host[:port]` (or `http://` on a trusted network); `caFile` pins the CA
    /// that Bursar's certificate must chain to.
    public convenience init(url: String, key: String, instanceID: String, stateDirectory: String?, publicKey: String? = nil,
                            caFile: String? = nil,
                            configure: (inout BundleClient.Configuration, inout EventShipper.Configuration) -> Void = { _, _ in }) throws {
        try self.init(endpoint: BursarEndpoint(url: url, key: key, caFile: caFile), instanceID: instanceID, stateDirectory: stateDirectory,
                      publicKey: publicKey, configure: configure)
    }

    /// Starts polling for bundles and shipping events (what a spool kept is sent first).
    public func start() {
        bundles.start()
        events.start()
    }

    /// Stops polling; sends (or spools) the events still queued.
    public func close(timeout: Double = 5) {
        bundles.stop()
        events.close(timeout: timeout)
    }

    /// The policy engine of the bundle in use; nil before any bundle (none cached, Bursar not reached yet).
    public var engine: PolicyEngine? { bundles.snapshot?.engine }

    /// Whether the bundle in use is past its signed `stale_after` (see `BundleClient.isStale`):
    /// decisions go on, but this router has not heard from Bursar; alarm on it.
    public var bundleIsStale: Bool { bundles.isStale }

    /// Where a request goes under the current bundle, with open circuits avoided; nil
    /// before any bundle is known. `now` defaults to the bundle client's clock.
    public func decide(_ request: RoutingRequest, now: Int64? = nil) -> RoutingDecision? {
        let now = now ?? bundles.configuration.clock()
        guard let engine else { return nil }
        let decision = engine.decide(request, now: now)
        return engine.avoidingOpenCircuits(decision) { tier in
            breakers.withLock { breakers in
                guard var breaker = breakers[tier] else { return false }
                defer { breakers[tier] = breaker }
                return !breaker.allows(at: now)
            }
        }
    }

    /// Feeds a tier's circuit breaker with one outcome (`now` as in `decide`).
    public func record(tier: String, success: Bool, now: Int64? = nil) {
        let now = now ?? bundles.configuration.clock()
        guard let settings = engine?.policy.circuitBreaker else { return }
        breakers.withLock { breakers in
            var breaker = breakers[tier] ?? CircuitBreakerState(settings: settings)
            breaker.record(success: success, at: now)
            breakers[tier] = breaker
        }
    }

    /// A tier's breaker state (closed when it has seen nothing).
    public func breakerState(tier: String) -> CircuitBreakerState.State {
        breakers.withLock { $0[tier]?.state ?? .closed }
    }
}
