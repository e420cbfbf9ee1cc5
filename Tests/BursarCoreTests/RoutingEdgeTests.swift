import BursarCore
import Testing

/// The edges of the runtime moves: where the confidence band, the breaker's thresholds and its
/// window begin and end (each `>=` against `>` changes which requests are moved).
@Suite struct RoutingEdgeTests {
    let engine = PolicyEngine(policy: RoutingFixture.policy(), revision: "r")

    @Test(arguments: [(0.45, true), (0.55, true), (0.4499, false), (0.5501, false), (0.5, true)])
    func theConfidenceBandIncludesItsEdges(confidence: Double, escalates: Bool) {
        let moved = engine.escalation(from: "fast", confidence: confidence, stepsTaken: 0, locked: false)
        #expect((moved == "standard") == escalates, "confidence \(confidence)")
    }

    /// Breaker of the fixture: error rate 0.5, at least 4 requests, a 10-second window.
    func breaker() -> CircuitBreakerState { CircuitBreakerState(settings: RoutingFixture.policy().circuitBreaker) }

    @Test func theBreakerOpensAtExactlyTheErrorRateAndExactlyMinRequests() {
        var atRate = breaker()
        for success in [true, false, true] { atRate.record(success: success, at: 1_000) }
        #expect(atRate.state == .closed, "3 requests: under min_requests")
        atRate.record(success: false, at: 1_000)
        #expect(atRate.state == .open, "4 requests, 2 failures: exactly 0.5 opens it")

        var underRate = breaker()
        for success in [true, true, false, true, false] { underRate.record(success: success, at: 1_000) }
        #expect(underRate.state == .closed, "2 of 5 is under 0.5")
    }

    @Test func theWindowsBoundarySecondFallsOut() {
        var breaker = breaker()
        for _ in 0..<3 { breaker.record(success: false, at: 0) }
        // Ten seconds later the failures of second 0 are out of the 10-second window.
        breaker.record(success: false, at: 10_000)
        #expect(breaker.state == .closed)
        #expect(breaker.windowCounts(endingAt: 10).requests == 1)

        var inside = self.breaker()
        for _ in 0..<3 { inside.record(success: false, at: 0) }
        // At 9.999 s they are still in it: four failures of four.
        inside.record(success: false, at: 9_999)
        #expect(inside.state == .open)
    }
}
