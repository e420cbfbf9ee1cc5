/// Replays past requests through two policies (the active one and a candidate) with today's
/// overrides and budgets, and prices each at the chosen tier's primary model.
///
/// Only first attempts with stored routing inputs are replayed; the others are counted as not
/// simulated, never guessed. A request whose new model has no price is counted as unpriced and
/// left out of both its cost and its baseline; a blocked request costs nothing and is left out
/// of the baseline too (savings count only what was served).
public struct PolicySimulation: Sendable {
    /// One policy's figures over the replayed requests.
    public struct Figures: Sendable, Equatable {
        public var cost = Money.zero
        public var baselineCost = Money.zero
        public var tierCounts: [String: Int] = [:]
        public var blocked = 0
        public var unpriced = 0

        public init() {}

        public var savings: Money {
            get throws(CounterOverflow) { try baselineCost.subtracting(cost) }
        }
    }

    /// Requests that a rule of the candidate moved from one tier to another.
    public struct Move: Sendable, Equatable, Hashable {
        public var rule: String
        public var fromTier: String
        public var toTier: String
    }

    public let active: PolicyEngine
    public let candidate: PolicyEngine
    public let catalog: PriceCatalog
    /// When overrides and budgets are evaluated (today).
    public let now: Int64
    public private(set) var requests = 0
    public private(set) var notSimulated = 0
    public private(set) var activeFigures = Figures()
    public private(set) var candidateFigures = Figures()
    /// What the replayed requests were charged when they happened, and the tiers the routers
    /// chose for them: the active policy's replay set beside what really happened.
    public private(set) var recordedFigures = Figures()
    /// What the first attempts without routing inputs (not replayed) were charged.
    public private(set) var notSimulatedCost = Money.zero
    public private(set) var moves: [Move: Int] = [:]

    public init(active: PolicyEngine, candidate: PolicyEngine, catalog: PriceCatalog, now: Int64) {
        self.active = active
        self.candidate = candidate
        self.catalog = catalog
        self.now = now
    }

    /// Whether an event is a request's first attempt (what a replay starts from).
    public static func isReplayed(_ event: UsageEvent) -> Bool {
        event.attempt == 1 && event.reason == .primary
    }

    /// Adds one stored event with the cost recorded for it; events that are not first
    /// attempts are ignored.
    public mutating func add(_ event: UsageEvent, recorded: EventCost? = nil) throws(CounterOverflow) {
        guard Self.isReplayed(event) else { return }
        requests += 1
        guard event.hasRoutingInputs else {
            notSimulated += 1
            if let recorded { notSimulatedCost = try notSimulatedCost.adding(recorded.cost, counter: "not_simulated_cost") }
            return
        }
        if let recorded {
            recordedFigures.tierCounts[event.tier, default: 0] += 1
            if recorded.basis == .unpriced { recordedFigures.unpriced += 1 }
            recordedFigures.cost = try recordedFigures.cost.adding(recorded.cost, counter: "recorded_cost")
            recordedFigures.baselineCost = try recordedFigures.baselineCost.adding(recorded.baseline, counter: "recorded_baseline_cost")
        }
        let request = RoutingRequest(event: event)
        let was = active.decide(request, now: now)
        let will = candidate.decide(request, now: now)
        try Self.count(was, engine: active, event: event, catalog: catalog, into: &activeFigures)
        try Self.count(will, engine: candidate, event: event, catalog: catalog, into: &candidateFigures)
        let from = was.blocked ? "blocked" : was.tier
        let to = will.blocked ? "blocked" : will.tier
        if from != to {
            moves[Move(rule: will.blockedBy.map { "budget:\($0)" } ?? will.rule ?? "(default)", fromTier: from, toTier: to), default: 0] += 1
        }
    }

    private static func count(_ decision: RoutingDecision, engine: PolicyEngine, event: UsageEvent, catalog: PriceCatalog, into figures: inout Figures) throws(CounterOverflow) {
        if decision.blocked {
            figures.blocked += 1
            return
        }
        figures.tierCounts[decision.tier, default: 0] += 1
        guard let model = decision.models.first, let price = catalog.price(for: model, at: event.time) else {
            figures.unpriced += 1
            return
        }
        figures.cost = try figures.cost.adding(try Self.cost(event, price))
        if let baseline = engine.policy.baselineModel, let baselinePrice = catalog.price(for: baseline, at: event.time) {
            figures.baselineCost = try figures.baselineCost.adding(try Self.cost(event, baselinePrice), counter: "baseline_cost")
        }
    }

    private static func cost(_ event: UsageEvent, _ price: ModelPrice) throws(CounterOverflow) -> Money {
        try price.cost(input: event.inputTokens, cachedInput: event.cachedInputTokens, output: event.outputTokens, reasoning: event.reasoningTokens)
    }

    /// The moves, largest first.
    public var sortedMoves: [(move: Move, requests: Int)] {
        moves.map { ($0.key, $0.value) }.sorted {
            $0.requests != $1.requests ? $0.requests > $1.requests
                : ($0.move.rule, $0.move.fromTier, $0.move.toTier) < ($1.move.rule, $1.move.fromTier, $1.move.toTier)
        }
    }

    /// The answer of `POST /v1/policies/simulate`.
    public func json(from: Int64, to: Int64) throws(CounterOverflow) -> JSONValue {
        func figures(_ figures: Figures) throws(CounterOverflow) -> JSONValue {
            let served = figures.tierCounts.values.reduce(0, +) + figures.blocked
            return .object([
                ("cost_usd", .money(figures.cost)),
                ("baseline_cost_usd", .money(figures.baselineCost)),
                ("savings_usd", .money(try figures.savings)),
                ("tier_mix", .object(figures.tierCounts.keys.sorted().map { tier in
                    (tier, .number(served == 0 ? 0 : (Double(figures.tierCounts[tier, default: 0]) / Double(served) * 10_000).rounded() / 10_000))
                })),
                ("requests_by_tier", .object(figures.tierCounts.keys.sorted().map { ($0, .integer(Int64(figures.tierCounts[$0, default: 0]))) })),
                ("blocked", .integer(Int64(figures.blocked))),
                ("unpriced", .integer(Int64(figures.unpriced))),
            ])
        }
        return .object([
            ("from", .string(Timestamp.format(from))),
            ("to", .string(Timestamp.format(to))),
            ("requests", .integer(Int64(requests))),
            ("not_simulated", .integer(Int64(notSimulated))),
            ("active", try figures(activeFigures)),
            ("candidate", try figures(candidateFigures)),
            ("recorded", try figures(recordedFigures)),
            ("not_simulated_cost_usd", .money(notSimulatedCost)),
            ("moves", .array(sortedMoves.map { move, count in
                .object([("rule", .string(move.rule)), ("from_tier", .string(move.fromTier)), ("to_tier", .string(move.toTier)),
                         ("requests", .integer(Int64(count)))])
            })),
        ])
    }
}
