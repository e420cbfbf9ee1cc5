/// What a rollup row counts: requests, tokens, money and latency.
public struct RollupMetrics: Sendable, Equatable {
    public var requests: Int64 = 0
    public var inputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var cost = Money.zero
    public var baselineCost = Money.zero
    public var reportedCost = Money.zero
    public var unpricedRequests: Int64 = 0
    public var errors: Int64 = 0
    public var latency = LatencyHistogram()

    public init() {}

    public init(event: UsageEvent, cost: EventCost) {
        add(event: event, cost: cost)
    }

    public mutating func add(event: UsageEvent, cost eventCost: EventCost) {
        add(requests: 1, inputTokens: event.inputTokens, cachedInputTokens: event.cachedInputTokens,
            outputTokens: event.outputTokens, reasoningTokens: event.reasoningTokens, cost: eventCost.cost.nanos,
            baselineCost: eventCost.baseline.nanos, reportedCost: event.reportedCost?.nanos ?? 0,
            unpricedRequests: eventCost.basis == .unpriced ? 1 : 0, errors: event.status == .ok ? 0 : 1)
        if let latency = event.latencyMillis { self.latency.record(latency) }
    }

    /// Adds counts and sums (a stored rollup row's, or another group's).
    public mutating func add(requests: Int64, inputTokens: Int64, cachedInputTokens: Int64, outputTokens: Int64,
                             reasoningTokens: Int64, cost: Int64, baselineCost: Int64, reportedCost: Int64,
                             unpricedRequests: Int64, errors: Int64) {
        self.requests += requests
        self.inputTokens += inputTokens
        self.cachedInputTokens += cachedInputTokens
        self.outputTokens += outputTokens
        self.reasoningTokens += reasoningTokens
        self.cost.nanos += cost
        self.baselineCost.nanos += baselineCost
        self.reportedCost.nanos += reportedCost
        self.unpricedRequests += unpricedRequests
        self.errors += errors
    }

    public mutating func merge(_ other: RollupMetrics) {
        add(requests: other.requests, inputTokens: other.inputTokens, cachedInputTokens: other.cachedInputTokens,
            outputTokens: other.outputTokens, reasoningTokens: other.reasoningTokens, cost: other.cost.nanos,
            baselineCost: other.baselineCost.nanos, reportedCost: other.reportedCost.nanos,
            unpricedRequests: other.unpricedRequests, errors: other.errors)
        latency.merge(other.latency)
    }

    public var savings: Money { baselineCost - cost }
}
