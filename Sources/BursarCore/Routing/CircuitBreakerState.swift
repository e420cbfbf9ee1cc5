/// One tier's circuit breaker, fed with the outcomes a router observes.
///
/// Closed: requests flow and outcomes are counted in a sliding window of one-second slots.
/// When at least `min_requests` were seen in the window and the share of failures reaches
/// `error_rate`, it opens for `cooldown_seconds`; then it is half-open and lets one probe
/// through: a success closes it, a failure opens it again. A probe whose outcome is never
/// recorded (a cancelled request) is given up after another cooldown, and the next request
/// probes again, so that a tier is never avoided for good.
public struct CircuitBreakerState: Sendable {
    public enum State: String, Sendable, Equatable { case closed, open, halfOpen = "half_open" }

    public let settings: Policy.CircuitBreaker
    public private(set) var state: State = .closed
    private var openedUntil: Int64 = 0
    private var probeInFlight = false
    private var probeStartedAt: Int64 = 0
    /// Per one-second slot: its second, requests and failures.
    private var slots: [(second: Int64, requests: Int, failures: Int)]

    public init(settings: Policy.CircuitBreaker) {
        self.settings = settings
        // Bounded whatever a bundle says (the validator refuses more than an hour).
        slots = Array(repeating: (-1, 0, 0), count: min(max(1, settings.windowSeconds), Policy.CircuitBreaker.maximumWindowSeconds))
    }

    /// Whether a request may go to this tier now (half-open lets one probe through).
    public mutating func allows(at now: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now >= openedUntil else { return false }
            state = .halfOpen
            startProbe(at: now)
            return true
        case .halfOpen:
            if probeInFlight, now < probeStartedAt + cooldownMillis { return false }
            startProbe(at: now)
            return true
        }
    }

    private var cooldownMillis: Int64 { Int64(min(max(settings.cooldownSeconds, 0), 86_400)) * 1000 }

    private mutating func startProbe(at now: Int64) {
        probeInFlight = true
        probeStartedAt = now
    }

    /// Whether the breaker is open at `now` without taking the half-open probe.
    public func isOpen(at now: Int64) -> Bool {
        switch state {
        case .closed: return false
        case .open: return now < openedUntil
        case .halfOpen: return probeInFlight && now < probeStartedAt + cooldownMillis
        }
    }

    /// Records one outcome of a request sent to this tier.
    public mutating func record(success: Bool, at now: Int64) {
        switch state {
        case .halfOpen:
            probeInFlight = false
            if success {
                state = .closed
                for index in slots.indices { slots[index] = (-1, 0, 0) }
            } else {
                open(at: now)
            }
        case .open:
            return
        case .closed:
            let second = now / 1000
            let index = Int(second % Int64(slots.count))
            if slots[index].second != second { slots[index] = (second, 0, 0) }
            slots[index].requests += 1
            if !success { slots[index].failures += 1 }
            let (requests, failures) = windowCounts(endingAt: second)
            if requests >= settings.minRequests, Double(failures) >= settings.errorRate * Double(requests) {
                open(at: now)
            }
        }
    }

    /// Requests and failures in the window that ends at `second`.
    public func windowCounts(endingAt second: Int64) -> (requests: Int, failures: Int) {
        var requests = 0
        var failures = 0
        for slot in slots where slot.second > second - Int64(slots.count) && slot.second <= second {
            requests += slot.requests
            failures += slot.failures
        }
        return (requests, failures)
    }

    private mutating func open(at now: Int64) {
        state = .open
        openedUntil = now + cooldownMillis
        probeInFlight = false
    }
}
