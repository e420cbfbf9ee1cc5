/// A routing policy: tiers with their fallback chains, the escalation ladder, first-match
/// rules, and how the router escalates, falls back, breaks circuits and shadows.
public struct Policy: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Savings are measured against this tier's primary model.
    public var baselineTier: String
    /// The escalation order, cheapest first (a secure tier may stand outside it).
    public var ladder: [String]
    public var defaultTier: String
    /// In the order the file lists them.
    public var tiers: [Tier]
    /// First match wins.
    public var rules: [Rule]
    public var escalation: Escalation
    public var fallback: Fallback
    public var circuitBreaker: CircuitBreaker
    public var shadows: [Shadow]

    public init(name: String, description: String = "", baselineTier: String, ladder: [String], defaultTier: String,
                tiers: [Tier], rules: [Rule] = [], escalation: Escalation = Escalation(), fallback: Fallback = Fallback(),
                circuitBreaker: CircuitBreaker = CircuitBreaker(), shadows: [Shadow] = []) {
        self.name = name
        self.description = description
        self.baselineTier = baselineTier
        self.ladder = ladder
        self.defaultTier = defaultTier
        self.tiers = tiers
        self.rules = rules
        self.escalation = escalation
        self.fallback = fallback
        self.circuitBreaker = circuitBreaker
        self.shadows = shadows
    }

    public func tier(named name: String) -> Tier? { tiers.first { $0.name == name } }

    /// The primary model of the baseline tier.
    public var baselineModel: ModelKey? { tier(named: baselineTier)?.models.first }

    /// One tier: an ordered fallback chain of provider and model, with its guardrails.
    public struct Tier: Sendable, Equatable {
        public var name: String
        public var models: [ModelKey]
        public var latencySLOMillis: Int64?
        public var maxContextTokens: Int64?

        public init(name: String, models: [ModelKey], latencySLOMillis: Int64? = nil, maxContextTokens: Int64? = nil) {
            self.name = name
            self.models = models
            self.latencySLOMillis = latencySLOMillis
            self.maxContextTokens = maxContextTokens
        }
    }

    /// A first-match rule: when every condition holds, the request goes to `tier`.
    public struct Rule: Sendable, Equatable {
        public var id: String
        public var when: Conditions
        public var tier: String
        /// Never escalated or fallen back outside its tier (PII on the secure tier).
        public var lock: Bool

        public init(id: String, when: Conditions, tier: String, lock: Bool = false) {
            self.id = id
            self.when = when
            self.tier = tier
            self.lock = lock
        }
    }

    /// What a rule matches on; absent conditions always hold.
    public struct Conditions: Sendable, Hashable {
        public var intent: [String]?
        public var complexity: NumberRange?
        public var confidence: NumberRange?
        public var pii: Bool?
        /// Any of these words in the request's keywords.
        public var keywords: [String]?
        public var user: [String]?
        public var team: [String]?
        public var feature: [String]?
        public var contextTokens: NumberRange?

        public init() {}

        public var isEmpty: Bool { self == Conditions() }
    }

    /// `{at_least: 0.7}`, `{below: 0.3}` or both.
    public struct NumberRange: Sendable, Hashable {
        public var atLeast: Double?
        public var below: Double?

        public init(atLeast: Double? = nil, below: Double? = nil) {
            self.atLeast = atLeast
            self.below = below
        }

        public func contains(_ value: Double) -> Bool {
            (atLeast.map { value >= $0 } ?? true) && (below.map { value < $0 } ?? true)
        }
    }

    public struct Escalation: Sendable, Equatable {
        /// A confidence inside this band moves the request one step up the ladder.
        public var confidenceBand: ClosedRange<Double>?
        public var onInvalidOutput: InvalidOutputAction
        public var maxSteps: Int

        public enum InvalidOutputAction: String, Sendable, CaseIterable { case nextTier = "next_tier", retry, none }

        public init(confidenceBand: ClosedRange<Double>? = nil, onInvalidOutput: InvalidOutputAction = .nextTier, maxSteps: Int = 1) {
            self.confidenceBand = confidenceBand
            self.onInvalidOutput = onInvalidOutput
            self.maxSteps = maxSteps
        }
    }

    public struct Fallback: Sendable, Equatable {
        public static let triggers = ["timeout", "rate_limited", "server_error", "invalid_output"]
        /// Outcomes that move the request to the next model of its tier's chain.
        public var on: [String]
        /// Past the tier's latency SLO: cancel and take the next model.
        public var latencyGuardrail: Bool

        public init(on: [String] = ["timeout", "rate_limited", "server_error"], latencyGuardrail: Bool = false) {
            self.on = on
            self.latencyGuardrail = latencyGuardrail
        }
    }

    public struct CircuitBreaker: Sendable, Equatable {
        /// The longest window a breaker counts over (its slots are kept in memory).
        public static let maximumWindowSeconds = 3_600

        public var errorRate: Double
        public var minRequests: Int
        public var windowSeconds: Int
        public var cooldownSeconds: Int
        public var whenOpen: WhenOpen

        public enum WhenOpen: String, Sendable, CaseIterable { case promote, demote, fail }

        public init(errorRate: Double = 0.5, minRequests: Int = 20, windowSeconds: Int = 30, cooldownSeconds: Int = 60,
                    whenOpen: WhenOpen = .promote) {
            self.errorRate = errorRate
            self.minRequests = minRequests
            self.windowSeconds = windowSeconds
            self.cooldownSeconds = cooldownSeconds
            self.whenOpen = whenOpen
        }
    }

    /// A share of a tier's requests also sent to another model, answers discarded.
    public struct Shadow: Sendable, Equatable {
        public var tier: String
        public var model: ModelKey
        public var sample: Double

        public init(tier: String, model: ModelKey, sample: Double) {
            self.tier = tier
            self.model = model
            self.sample = sample
        }
    }
}
