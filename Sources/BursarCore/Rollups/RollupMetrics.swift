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

    public init(event: UsageEvent, cost: EventCost) throws(CounterOverflow) {
        try add(event: event, cost: cost)
    }

    /// Adds one event; all or nothing: on overflow nothing changes.
    public mutating func add(event: UsageEvent, cost eventCost: EventCost) throws(CounterOverflow) {
        try add(requests: 1, inputTokens: event.inputTokens, cachedInputTokens: event.cachedInputTokens,
                outputTokens: event.outputTokens, reasoningTokens: event.reasoningTokens, cost: eventCost.cost.nanos,
                baselineCost: eventCost.baseline.nanos, reportedCost: event.reportedCost?.nanos ?? 0,
                unpricedRequests: eventCost.basis == .unpriced ? 1 : 0, errors: event.status == .ok ? 0 : 1)
        if let latency = event.latencyMillis { self.latency.record(latency) }
    }

    /// Adds counts and sums (a stored rollup row's, or another group's), each checked; all or
    /// nothing: on overflow nothing changes and the counter is named as the API names it.
    public mutating func add(requests: Int64, inputTokens: Int64, cachedInputTokens: Int64, outputTokens: Int64,
                             reasoningTokens: Int64, cost: Int64, baselineCost: Int64, reportedCost: Int64,
                             unpricedRequests: Int64, errors: Int64) throws(CounterOverflow) {
        let sums = (
            try self.requests.adding(requests, counter: "requests"),
            try self.inputTokens.adding(inputTokens, counter: "input_tokens"),
            try self.cachedInputTokens.adding(cachedInputTokens, counter: "cached_input_tokens"),
            try self.outputTokens.adding(outputTokens, counter: "output_tokens"),
            try self.reasoningTokens.adding(reasoningTokens, counter: "reasoning_tokens"),
            try self.cost.nanos.adding(cost, counter: "cost"),
            try self.baselineCost.nanos.adding(baselineCost, counter: "baseline_cost"),
            try self.reportedCost.nanos.adding(reportedCost, counter: "cost_usd"),
            try self.unpricedRequests.adding(unpricedRequests, counter: "unpriced_requests"),
            try self.errors.adding(errors, counter: "errors")
        )
        (self.requests, self.inputTokens, self.cachedInputTokens, self.outputTokens, self.reasoningTokens) =
            (sums.0, sums.1, sums.2, sums.3, sums.4)
        (self.cost.nanos, self.baselineCost.nanos, self.reportedCost.nanos, self.unpricedRequests, self.errors) =
            (sums.5, sums.6, sums.7, sums.8, sums.9)
    }

    /// Adds another's counters, not its latency; all or nothing.
    public mutating func add(counts other: RollupMetrics) throws(CounterOverflow) {
        try add(requests: other.requests, inputTokens: other.inputTokens, cachedInputTokens: other.cachedInputTokens,
                outputTokens: other.outputTokens, reasoningTokens: other.reasoningTokens, cost: other.cost.nanos,
                baselineCost: other.baselineCost.nanos, reportedCost: other.reportedCost.nanos,
                unpricedRequests: other.unpricedRequests, errors: other.errors)
    }

    /// Adds another group's metrics; all or nothing.
    public mutating func merge(_ other: RollupMetrics) throws(CounterOverflow) {
        try add(counts: other)
        latency.merge(other.latency)
    }

    /// Baseline minus actual cost (negative when the routing cost more than the baseline).
    public var savings: Money {
        get throws(CounterOverflow) { try baselineCost.subtracting(cost) }
    }
}
