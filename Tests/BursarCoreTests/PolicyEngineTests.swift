import BursarCore
import Testing

/// The default policy's shape, built in code: fast/standard/frontier on the ladder, secure off it.
enum RoutingFixture {
    static func model(_ provider: String, _ name: String) -> ModelKey { ModelKey(provider: provider, model: name) }

    static func policy(whenOpen: Policy.CircuitBreaker.WhenOpen = .promote, onInvalidOutput: Policy.Escalation.InvalidOutputAction = .nextTier) -> Policy {
        var pii = Policy.Conditions()
        pii.pii = true
        var executives = Policy.Conditions()
        executives.team = ["executives"]
        var legal = Policy.Conditions()
        legal.intent = ["legal_analysis", "code_generation"]
        var longContext = Policy.Conditions()
        longContext.contextTokens = Policy.NumberRange(atLeast: 8000)
        var complex = Policy.Conditions()
        complex.complexity = Policy.NumberRange(atLeast: 0.7)
        var unsure = Policy.Conditions()
        unsure.confidence = Policy.NumberRange(below: 0.2)
        var keywords = Policy.Conditions()
        keywords.keywords = ["Lawsuit", "subpoena"]
        var vip = Policy.Conditions()
        vip.user = ["vip@example.com"]
        vip.feature = ["support-chat"]
        return Policy(
            name: "test", baselineTier: "frontier", ladder: ["fast", "standard", "frontier"], defaultTier: "fast",
            tiers: [
                Policy.Tier(name: "fast", models: [model("groq", "llama-3.1-8b-instant"), model("together", "llama-8b")],
                            latencySLOMillis: 300, maxContextTokens: 8000),
                Policy.Tier(name: "standard", models: [model("anthropic", "claude-3-5-haiku-20241022"), model("openai", "gpt-4o-mini")],
                            latencySLOMillis: 1500, maxContextTokens: 32000),
                Policy.Tier(name: "frontier", models: [model("openai", "gpt-4o-2024-08-06"), model("anthropic", "claude-3-opus-20240229")]),
                Policy.Tier(name: "secure", models: [model("onprem", "llama-3.1-70b-instruct")]),
            ],
            rules: [
                Policy.Rule(id: "pii", when: pii, tier: "secure", lock: true),
                Policy.Rule(id: "executives", when: executives, tier: "frontier"),
                Policy.Rule(id: "legal", when: legal, tier: "frontier"),
                Policy.Rule(id: "keywords", when: keywords, tier: "frontier"),
                Policy.Rule(id: "vip-support", when: vip, tier: "standard"),
                Policy.Rule(id: "long-context", when: longContext, tier: "standard"),
                Policy.Rule(id: "complex", when: complex, tier: "standard"),
                Policy.Rule(id: "unsure", when: unsure, tier: "standard"),
            ],
            escalation: Policy.Escalation(confidenceBand: 0.45...0.55, onInvalidOutput: onInvalidOutput, maxSteps: 2),
            fallback: Policy.Fallback(on: ["timeout", "rate_limited", "server_error"], latencyGuardrail: true),
            circuitBreaker: Policy.CircuitBreaker(errorRate: 0.5, minRequests: 4, windowSeconds: 10, cooldownSeconds: 5, whenOpen: whenOpen),
            shadows: [Policy.Shadow(tier: "frontier", model: model("openai", "gpt-4.1"), sample: 0.25)])
    }

    static func override(_ id: String, _ match: [String: String], _ effect: Override.Effect, _ tier: String, expiresAt: Int64? = nil) -> Override {
        Override(id: id, match: match, effect: effect, tier: tier, expiresAt: expiresAt, reason: "test", author: "test")
    }

    static func budget(_ id: String, _ scope: [RollupDimension: String], _ action: Budget.Action, to tier: String? = nil,
                       state: BudgetStatus.State = .exceeded) -> RoutingBundle.BudgetState {
        RoutingBundle.BudgetState(id: id, scope: scope, state: state, action: action, downgradeTo: tier)
    }
}

@Suite struct PolicyEngineTests {
    let now: Int64 = 1_795_000_000_000

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var request: RoutingRequest
        var overrides: [Override] = []
        var budgets: [RoutingBundle.BudgetState] = []
        var tier: String
        var rule: String?
        var blocked = false
        var reason: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        typealias F = RoutingFixture
        return [
            // Conditions, one of each kind.
            Case(name: "default tier", request: RoutingRequest(intent: "faq", complexity: 0.2), tier: "fast", rule: nil, reason: "default tier fast"),
            Case(name: "pii", request: RoutingRequest(pii: true), tier: "secure", rule: "pii"),
            Case(name: "team list", request: RoutingRequest(team: "executives"), tier: "frontier", rule: "executives"),
            Case(name: "intent list", request: RoutingRequest(intent: "code_generation"), tier: "frontier", rule: "legal"),
            Case(name: "keywords any, case-insensitive", request: RoutingRequest(keywords: ["urgent", "SUBPOENA"]), tier: "frontier", rule: "keywords"),
            Case(name: "user and feature both", request: RoutingRequest(user: "vip@example.com", feature: "support-chat"), tier: "standard", rule: "vip-support"),
            Case(name: "user without feature", request: RoutingRequest(user: "vip@example.com", feature: "search"), tier: "fast", rule: nil),
            Case(name: "context at least", request: RoutingRequest(contextTokens: 8000), tier: "standard", rule: "long-context"),
            Case(name: "complexity at least", request: RoutingRequest(complexity: 0.7), tier: "standard", rule: "complex"),
            Case(name: "complexity below the bound", request: RoutingRequest(complexity: 0.69), tier: "fast", rule: nil),
            Case(name: "confidence below", request: RoutingRequest(confidence: 0.1), tier: "standard", rule: "unsure"),
            Case(name: "missing number never matches", request: RoutingRequest(intent: "faq"), tier: "fast", rule: nil),
            Case(name: "first match wins", request: RoutingRequest(team: "executives", complexity: 0.9, pii: true), tier: "secure", rule: "pii"),
            // Precedence.
            Case(name: "override force beats the rule", request: RoutingRequest(user: "ceo", complexity: 0.9),
                 overrides: [F.override("ceo", ["user": "ceo"], .forceTier, "frontier")], tier: "frontier", rule: "complex", reason: "override ceo forces"),
            Case(name: "override min raises", request: RoutingRequest(team: "legal"),
                 overrides: [F.override("legal", ["team": "legal"], .minTier, "standard")], tier: "standard", rule: nil),
            Case(name: "override min never lowers", request: RoutingRequest(team: "legal", intent: "legal_analysis"),
                 overrides: [F.override("legal", ["team": "legal"], .minTier, "standard")], tier: "frontier", rule: "legal"),
            Case(name: "override max caps", request: RoutingRequest(team: "interns", intent: "legal_analysis"),
                 overrides: [F.override("interns", ["team": "interns"], .maxTier, "standard")], tier: "standard", rule: "legal"),
            Case(name: "expired override is skipped", request: RoutingRequest(user: "ceo"),
                 overrides: [F.override("ceo", ["user": "ceo"], .forceTier, "frontier", expiresAt: 1_000)], tier: "fast", rule: nil),
            Case(name: "the most specific override wins", request: RoutingRequest(user: "ceo", team: "executives"),
                 overrides: [F.override("team", ["team": "executives"], .forceTier, "standard"),
                             F.override("ceo", ["user": "ceo", "team": "executives"], .forceTier, "fast")], tier: "fast", rule: "executives"),
            Case(name: "budget downgrade beats the rule", request: RoutingRequest(feature: "support-chat", complexity: 0.9),
                 budgets: [F.budget("support", [.feature: "support-chat"], .downgrade, to: "fast")], tier: "fast", rule: "complex",
                 reason: "budget support is exceeded: downgraded from standard"),
            Case(name: "a budget not exceeded does nothing", request: RoutingRequest(feature: "support-chat", complexity: 0.9),
                 budgets: [F.budget("support", [.feature: "support-chat"], .downgrade, to: "fast", state: .warning)], tier: "standard", rule: "complex"),
            Case(name: "budget scoped to a tier", request: RoutingRequest(intent: "legal_analysis"),
                 budgets: [F.budget("frontier-cap", [.tier: "frontier"], .downgrade, to: "standard")], tier: "standard", rule: "legal"),
            Case(name: "budget scoped to a provider", request: RoutingRequest(intent: "legal_analysis"),
                 budgets: [F.budget("openai", [.provider: "openai"], .downgrade, to: "standard")], tier: "standard", rule: "legal"),
            Case(name: "override beats a budget downgrade", request: RoutingRequest(user: "ceo", feature: "support-chat"),
                 overrides: [F.override("ceo", ["user": "ceo"], .forceTier, "frontier")],
                 budgets: [F.budget("support", [.feature: "support-chat"], .downgrade, to: "fast")], tier: "frontier", rule: nil),
            Case(name: "block beats an override", request: RoutingRequest(user: "ceo", feature: "support-chat"),
                 overrides: [F.override("ceo", ["user": "ceo"], .forceTier, "frontier")],
                 budgets: [F.budget("stop", [.user: "ceo"], .block)], tier: "frontier", rule: nil, blocked: true,
                 reason: "budget stop is exceeded and blocks"),
            Case(name: "an alert budget never changes routing", request: RoutingRequest(user: "u"),
                 budgets: [F.budget("watch", [:], .alert)], tier: "fast", rule: nil),
            // Locks.
            Case(name: "lock holds against an override", request: RoutingRequest(user: "ceo", pii: true),
                 overrides: [F.override("ceo", ["user": "ceo"], .forceTier, "frontier")], tier: "secure", rule: "pii",
                 reason: "override ceo does not apply: rule pii locks"),
            Case(name: "lock holds against a downgrade", request: RoutingRequest(feature: "support-chat", pii: true),
                 budgets: [F.budget("support", [.feature: "support-chat"], .downgrade, to: "fast")], tier: "secure", rule: "pii"),
            Case(name: "a block still blocks a locked request", request: RoutingRequest(feature: "support-chat", pii: true),
                 budgets: [F.budget("support", [.feature: "support-chat"], .block)], tier: "secure", rule: "pii", blocked: true),
            // Context windows.
            Case(name: "a rule's tier too small climbs the ladder", request: RoutingRequest(complexity: 0.9, contextTokens: 40000),
                 tier: "frontier", rule: "long-context", reason: "does not fit standard's window"),
        ]
    }()

    @Test(arguments: cases)
    func decides(_ testCase: Case) {
        let engine = PolicyEngine(policy: RoutingFixture.policy(), revision: "r1", overrides: testCase.overrides, budgets: testCase.budgets)
        let decision = engine.decide(testCase.request, now: now)
        #expect(decision.tier == testCase.tier)
        #expect(decision.rule == testCase.rule)
        #expect(decision.blocked == testCase.blocked)
        #expect(decision.models == engine.tier(named: testCase.tier)?.models)
        #expect(decision.revision == "r1")
        if let reason = testCase.reason {
            #expect(decision.reasons.contains { $0.contains(reason) }, "\(decision.reasons)")
        }
    }

    @Test func decisionsRoundTripThroughTheBundleJSON() throws {
        let policy = RoutingFixture.policy()
        let bundleJSON = JSONValue.object([
            ("policy", .object([("revision", "p1")] + policy.json.objectMembers)),
            ("overrides", .array([RoutingFixture.override("ceo", ["user": "ceo"], .forceTier, "frontier", expiresAt: now + 1000).json])),
            ("budgets", .array([.object([("id", "support"), ("scope", .object([("feature", "support-chat")])), ("state", "exceeded"),
                                         ("action", "downgrade"), ("downgrade_to", "fast")])])),
            ("prices", .array([])),
            ("revision", "b1"),
        ])
        let bundle = try RoutingBundle.parse(bundleJSON.serialized())
        #expect(bundle.policy == policy)
        #expect(bundle.policyRevision == "p1")
        let engine = try #require(PolicyEngine(bundle: bundle))
        #expect(engine.decide(RoutingRequest(user: "ceo"), now: now).tier == "frontier")
        #expect(engine.decide(RoutingRequest(user: "ceo"), now: now + 1000).tier == "fast")
        #expect(engine.decide(RoutingRequest(feature: "support-chat", complexity: 0.8), now: now).tier == "fast")
    }
}

@Suite struct PolicyEnginePropertyTests {
    /// Random requests, overrides and budgets drawn from small vocabularies so that they collide.
    struct Draw {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ values: [T]) -> T { values[Int(next() % UInt64(values.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
        mutating func fraction() -> Double { Double(next() % 1001) / 1000 }
    }

    static let users = ["ceo", "u1", "u2", "vip@example.com"]
    static let teams = ["executives", "legal", "support", ""]
    static let features = ["support-chat", "search", ""]
    static let tiers = ["fast", "standard", "frontier", "secure", "gone"]

    @Test func decisionsKeepTheirPromisesOnRandomInputs() {
        var draw = Draw(state: 42)
        let policy = RoutingFixture.policy()
        let tierNames = Set(policy.tiers.map(\.name))
        for round in 0..<3000 {
            let overrides = (0..<Int(draw.next() % 4)).map { index in
                RoutingFixture.override("o\(index)", [draw.pick(["user", "team", "feature"]): draw.pick(Self.users + Self.teams + Self.features)],
                                        draw.pick(Override.Effect.allCases), draw.pick(Self.tiers))
            }
            let budgets = (0..<Int(draw.next() % 4)).map { index in
                RoutingFixture.budget("b\(index)", draw.chance(30) ? [:] : [draw.pick([RollupDimension.user, .team, .feature, .tier]): draw.pick(Self.users + Self.teams + Self.tiers)],
                                      draw.pick(Budget.Action.allCases), to: draw.pick(Self.tiers), state: draw.pick([.ok, .warning, .exceeded]))
            }
            let request = RoutingRequest(user: draw.pick(Self.users), team: draw.pick(Self.teams), feature: draw.pick(Self.features),
                                         intent: draw.pick(["faq", "legal_analysis", ""]), complexity: draw.chance(70) ? draw.fraction() : nil,
                                         confidence: draw.chance(50) ? draw.fraction() : nil, pii: draw.chance(20),
                                         keywords: draw.chance(10) ? ["subpoena"] : [], contextTokens: draw.chance(30) ? Int64(draw.next() % 50000) : nil,
                                         requestID: "r\(round)")
            let engine = PolicyEngine(policy: policy, revision: "r", overrides: overrides, budgets: budgets)
            let decision = engine.decide(request, now: 0)
            // The tier always exists, with its chain.
            #expect(tierNames.contains(decision.tier), "round \(round)")
            #expect(decision.models == policy.tier(named: decision.tier)?.models)
            // A lock is never broken.
            if decision.locked, let rule = decision.rule {
                #expect(decision.tier == policy.rules.first { $0.id == rule }?.tier, "round \(round)")
            }
            // An exceeded blocking budget that covers the request always wins.
            let blocking = budgets.contains { budget in
                budget.state == .exceeded && budget.action == .block && budget.scope.allSatisfy { dimension, value in
                    switch dimension {
                    case .user: return request.user == value
                    case .team: return request.team == value
                    case .feature: return request.feature == value
                    case .tier: return decision.tier == value
                    default: return false
                    }
                }
            }
            #expect(decision.blocked == blocking, "round \(round): \(decision.reasons)")
            // Runtime moves never break a lock either.
            if decision.locked {
                #expect(engine.escalation(from: decision.tier, confidence: 0.5, stepsTaken: 0, locked: true) == nil)
                #expect(engine.avoidingOpenCircuits(decision, isOpen: { _ in true }).tier == decision.tier)
            }
        }
    }
}

@Suite struct RuntimeMoveTests {
    let engine = PolicyEngine(policy: RoutingFixture.policy(), revision: "r")

    @Test func confidenceInsideTheBandEscalatesOneStepWhileStepsRemain() {
        #expect(engine.escalation(from: "fast", confidence: 0.5, stepsTaken: 0, locked: false) == "standard")
        #expect(engine.escalation(from: "standard", confidence: 0.45, stepsTaken: 1, locked: false) == "frontier")
        #expect(engine.escalation(from: "standard", confidence: 0.5, stepsTaken: 2, locked: false) == nil)
        #expect(engine.escalation(from: "fast", confidence: 0.6, stepsTaken: 0, locked: false) == nil)
        #expect(engine.escalation(from: "frontier", confidence: 0.5, stepsTaken: 0, locked: false) == nil)
        #expect(engine.escalation(from: "secure", confidence: 0.5, stepsTaken: 0, locked: false) == nil)
    }

    @Test func invalidOutputFollowsThePolicy() {
        #expect(engine.moveForInvalidOutput(tier: "fast", modelIndex: 0, stepsTaken: 0, retried: false, locked: false) == .escalate(tier: "standard"))
        #expect(engine.moveForInvalidOutput(tier: "secure", modelIndex: 0, stepsTaken: 0, retried: false, locked: true) == .stop)
        let retrying = PolicyEngine(policy: RoutingFixture.policy(onInvalidOutput: .retry), revision: "r")
        #expect(retrying.moveForInvalidOutput(tier: "fast", modelIndex: 0, stepsTaken: 0, retried: false, locked: false) == .retry)
        #expect(retrying.moveForInvalidOutput(tier: "fast", modelIndex: 0, stepsTaken: 0, retried: true, locked: false) == .fallback(modelIndex: 1))
    }

    @Test func latencyAndFailuresFallBackAlongTheChain() {
        #expect(engine.moveForLatency(301, tier: "fast", modelIndex: 0) == .fallback(modelIndex: 1))
        #expect(engine.moveForLatency(300, tier: "fast", modelIndex: 0) == .stop)
        #expect(engine.moveForLatency(5000, tier: "frontier", modelIndex: 0) == .stop)
        #expect(engine.moveForFailure("timeout", tier: "standard", modelIndex: 0) == .fallback(modelIndex: 1))
        #expect(engine.moveForFailure("timeout", tier: "standard", modelIndex: 1) == .stop)
        #expect(engine.moveForFailure("invalid_request", tier: "standard", modelIndex: 0) == .stop)
    }

    @Test func openCircuitsPromoteDemoteOrFail() {
        let decision = engine.decide(RoutingRequest(), now: 0)
        #expect(engine.avoidingOpenCircuits(decision, isOpen: { $0 == "fast" }).tier == "standard")
        #expect(engine.avoidingOpenCircuits(decision, isOpen: { $0 != "frontier" }).tier == "frontier")
        let failing = engine.avoidingOpenCircuits(decision, isOpen: { _ in true })
        #expect(failing.blocked && failing.openCircuit == "fast" && failing.reasons.last?.contains("tier fast's circuit is open") == true)
        // A circuit is not a budget: the answer names no budget.
        #expect(failing.json[member: "budget"] == .null)
        let demoting = PolicyEngine(policy: RoutingFixture.policy(whenOpen: .demote), revision: "r")
        let standard = demoting.decide(RoutingRequest(complexity: 0.9), now: 0)
        #expect(demoting.avoidingOpenCircuits(standard, isOpen: { $0 == "standard" }).tier == "fast")
    }

    @Test func theBreakerOpensCoolsDownProbesAndCloses() {
        var breaker = CircuitBreakerState(settings: RoutingFixture.policy().circuitBreaker)
        var now: Int64 = 1_000_000
        for success in [true, false, false] { breaker.record(success: success, at: now) }
        #expect(breaker.state == .closed)
        breaker.record(success: false, at: now)
        var allowed = breaker.allows(at: now + 4_999)
        #expect(breaker.state == .open && !allowed)
        now += 5_000
        allowed = breaker.allows(at: now)
        #expect(allowed && breaker.state == .halfOpen)
        allowed = breaker.allows(at: now)
        #expect(!allowed, "one probe at a time")
        breaker.record(success: false, at: now)
        #expect(breaker.state == .open)
        now += 5_000
        allowed = breaker.allows(at: now)
        #expect(allowed)
        breaker.record(success: true, at: now)
        allowed = breaker.allows(at: now)
        #expect(breaker.state == .closed && allowed)
        // Old failures leave the window.
        for _ in 0..<3 { breaker.record(success: false, at: now) }
        breaker.record(success: true, at: now + 11_000)
        #expect(breaker.state == .closed)
    }

    @Test func shadowSamplingIsDeterministicAndNearItsRate() {
        let frontier = engine.decide(RoutingRequest(intent: "legal_analysis"), now: 0)
        let sampled = (0..<20_000).filter { engine.shadow(for: frontier, requestID: "req-\($0)") != nil }.count
        #expect((4_500...5_500).contains(sampled))
        #expect(engine.shadow(for: frontier, requestID: "req-7") == engine.shadow(for: frontier, requestID: "req-7"))
        #expect(engine.shadow(for: engine.decide(RoutingRequest(), now: 0), requestID: "req-7") == nil)
    }
}
