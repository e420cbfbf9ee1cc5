/// One attempt of one LLM call, as a router reports it.
public struct UsageEvent: Sendable, Equatable {
    public var id: String
    public var source: String
    /// Epoch milliseconds (UTC).
    public var time: Int64
    public var model: String
    public var provider: String
    public var tier: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cachedInputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var user: String = ""
    public var team: String = ""
    public var feature: String = ""
    public var reportedCost: Money?
    public var latencyMillis: Int64?
    public var timeToFirstTokenMillis: Int64?
    public var status: EventStatus = .ok
    public var requestID: String = ""
    public var attempt: Int64 = 1
    public var reason: AttemptReason = .primary
    public var rule: String = ""
    public var policyRevision: String = ""
    public var intent: String = ""
    public var complexity: Double?
    public var confidence: Double?
    public var pii: Bool?
    public var contextTokens: Int64?

    public init(id: String, source: String, time: Int64, model: String, provider: String, tier: String,
                inputTokens: Int64, outputTokens: Int64) {
        self.id = id
        self.source = source
        self.time = time
        self.model = model
        self.provider = provider
        self.tier = tier
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// Whether this event is the first attempt of a user request (what the baseline counts).
    public var isFirstAttempt: Bool { attempt == 1 && reason != .shadow }

    /// Whether the event carries the routing inputs a policy simulation needs.
    public var hasRoutingInputs: Bool {
        !intent.isEmpty || complexity != nil || confidence != nil || pii != nil || contextTokens != nil
    }
}

/// How an attempt ended.
public enum EventStatus: String, Sendable, CaseIterable {
    case ok, error, timeout, rateLimited = "rate_limited", invalidOutput = "invalid_output", blocked

    /// The coarse class that rollups keep: `ok`, `error` or `blocked`.
    public var statusClass: String {
        switch self {
        case .ok: return "ok"
        case .blocked: return "blocked"
        case .error, .timeout, .rateLimited, .invalidOutput: return "error"
        }
    }
}

/// Why the router made this attempt.
public enum AttemptReason: String, Sendable, CaseIterable {
    case primary, escalation, fallback, shadow, retry
}
