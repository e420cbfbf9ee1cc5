import BursarCore
import BursarTesting
import Foundation
import Testing

@Suite struct SimulationAPITests {
    static func policy(complexAt: Double, legalTier: String) -> String {
        """
        name: sim
        baseline_tier: frontier
        ladder: [fast, standard, frontier]
        default_tier: fast
        tiers:
          fast: {models: [{provider: groq, model: llama-3.1-8b-instant}]}
          standard: {models: [{provider: anthropic, model: claude-3-5-haiku-20241022}]}
          frontier: {models: [{provider: openai, model: gpt-4o}]}
          secure: {models: [{provider: openai, model: gpt-4o-mini}]}
        rules:
          - {id: pii, when: {pii: true}, tier: secure, lock: true}
          - {id: legal, when: {intent: [legal_analysis]}, tier: \(legalTier)}
          - {id: complex, when: {complexity: {at_least: \(complexAt)}}, tier: standard}
        """
    }

    /// The two policies' tiers written out by hand, independently of the engine.
    static func activeTier(_ intent: String, _ complexity: Double?, _ pii: Bool) -> String {
        if pii { return "secure" }
        if intent == "legal_analysis" { return "frontier" }
        if let complexity, complexity >= 0.7 { return "standard" }
        return "fast"
    }

    static func candidateTier(_ intent: String, _ complexity: Double?, _ pii: Bool) -> String {
        if pii { return "secure" }
        if intent == "legal_analysis" { return "standard" }
        if let complexity, complexity >= 0.5 { return "standard" }
        return "fast"
    }

    /// Dollars per million tokens (input, output) from the test catalog, as Decimals.
    static let prices: [String: (Decimal, Decimal)] = [
        "fast": (Decimal(string: "0.05")!, Decimal(string: "0.08")!),
        "standard": (Decimal(string: "0.80")!, Decimal(string: "4.00")!),
        "frontier": (Decimal(string: "2.50")!, Decimal(string: "10.00")!),
        "secure": (Decimal(string: "0.30")!, Decimal(string: "1.20")!),  // gpt-4o-mini after its 2026-06-01 price change
    ]

    static func cost(_ tier: String, _ input: Int64, _ output: Int64) -> Decimal {
        let (inputPrice, outputPrice) = prices[tier]!
        var exact = (Decimal(input) * inputPrice + Decimal(output) * outputPrice) / Decimal(1_000_000)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 9, .bankers)
        return rounded
    }

    static func text(_ value: Decimal) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.minimumFractionDigits = 9
        formatter.maximumFractionDigits = 9
        formatter.minimumIntegerDigits = 1
        formatter.usesGroupingSeparator = false
        return formatter.string(from: value as NSDecimalNumber)!
    }

    @Test func figuresMatchAnIndependentComputation() throws {
        let app = try TestApp()
        let created = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                               body: Array(Self.policy(complexAt: 0.7, legalTier: "frontier").utf8))
        #expect(created.status == 201, "\(created.bodyText)")

        var state: UInt64 = 7
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        var events: [JSONValue] = []
        var expected = (requests: 0, notSimulated: 0, active: [String: Int](), candidate: [String: Int](),
                        activeCost: Decimal(0), candidateCost: Decimal(0), baseline: Decimal(0), moves: [String: Int](),
                        recorded: Decimal(0), notSimulatedCost: Decimal(0))
        for index in 0..<240 {
            let intent = ["faq", "legal_analysis", "chat"][Int(next(3))]
            let complexity: Double? = next(5) == 0 ? nil : Double(next(101)) / 100
            let pii = next(10) == 0
            let input = Int64(100 + next(5000))
            let output = Int64(10 + next(800))
            let withInputs = index % 12 != 0
            var extra: [(String, JSONValue)] = [("request_id", .string("r\(index)"))]
            if withInputs {
                extra.append(("intent", .string(intent)))
                extra.append(("pii", .bool(pii)))
                if let complexity { extra.append(("complexity", .number(complexity))) }
            }
            events.append(EventJSON.event("e\(index)", time: "2026-11-1\(index % 10)T10:00:00Z", input: input, output: output, extra: extra))
            // A second attempt of the same request is never replayed.
            if index % 7 == 0 {
                events.append(EventJSON.event("e\(index)-2", time: "2026-11-1\(index % 10)T10:00:01Z", input: input, output: output,
                                              extra: extra + [("attempt", 2), ("reason", "escalation")]))
            }
            expected.requests += 1
            // Each was recorded at gpt-4o-mini's price (the events' model), whatever a policy says now.
            guard withInputs else {
                expected.notSimulated += 1
                expected.notSimulatedCost += Self.cost("secure", input, output)
                continue
            }
            expected.recorded += Self.cost("secure", input, output)
            let was = Self.activeTier(intent, complexity, pii)
            let will = Self.candidateTier(intent, complexity, pii)
            expected.active[was, default: 0] += 1
            expected.candidate[will, default: 0] += 1
            expected.activeCost += Self.cost(was, input, output)
            expected.candidateCost += Self.cost(will, input, output)
            expected.baseline += Self.cost("frontier", input, output)
            if was != will {
                let rule = intent == "legal_analysis" ? "legal" : "complex"
                expected.moves["\(rule):\(was)->\(will)", default: 0] += 1
            }
        }
        #expect(app.postEvents(events).status == 200)

        let response = app.send("POST", "/v1/policies/simulate?from=2026-11-01&to=2026-12-01", key: app.adminKey,
                                contentType: "application/yaml", body: Array(Self.policy(complexAt: 0.5, legalTier: "standard").utf8))
        #expect(response.status == 200, "\(response.bodyText)")
        let answer = try JSONSupport.object(response.body)
        #expect(answer["requests"] as? Int == expected.requests)
        #expect(answer["not_simulated"] as? Int == expected.notSimulated)
        let active = try #require(answer["active"] as? [String: Any])
        let candidate = try #require(answer["candidate"] as? [String: Any])
        #expect(active["cost_usd"] as? String == Self.text(expected.activeCost))
        #expect(candidate["cost_usd"] as? String == Self.text(expected.candidateCost))
        #expect(active["baseline_cost_usd"] as? String == Self.text(expected.baseline))
        #expect(candidate["savings_usd"] as? String == Self.text(expected.baseline - expected.candidateCost))
        #expect(active["requests_by_tier"] as? [String: Int] == expected.active)
        #expect(candidate["requests_by_tier"] as? [String: Int] == expected.candidate)
        let simulated = Double(expected.requests - expected.notSimulated)
        for (tier, count) in expected.candidate {
            let share = try #require((candidate["tier_mix"] as? [String: Double])?[tier])
            #expect(abs(share - Double(count) / simulated) < 0.0001)
        }
        let moves = try #require(answer["moves"] as? [[String: Any]])
        let moved = Dictionary(uniqueKeysWithValues: moves.map { move in
            ("\(move["rule"] as! String):\(move["from_tier"] as! String)->\(move["to_tier"] as! String)", move["requests"] as! Int)
        })
        #expect(moved == expected.moves)
        #expect(!moved.isEmpty)
        // Beside the replay, what those requests were charged and the tiers the routers chose.
        let recorded = try #require(answer["recorded"] as? [String: Any])
        #expect(recorded["cost_usd"] as? String == Self.text(expected.recorded))
        #expect(recorded["requests_by_tier"] as? [String: Int] == ["standard": expected.requests - expected.notSimulated])
        #expect(answer["not_simulated_cost_usd"] as? String == Self.text(expected.notSimulatedCost))

        // The active policy against itself moves nothing; a stored revision can be named.
        let revision = try #require(try JSONSupport.object(created.body)["revision"] as? String)
        let same = try JSONSupport.object(app.send("POST", "/v1/policies/simulate?from=2026-11-01&to=2026-12-01&revision=\(revision)",
                                                   key: app.adminKey, body: []).body)
        #expect((same["moves"] as? [Any])?.isEmpty == true)
        #expect((same["active"] as? [String: Any])?["cost_usd"] as? String == (same["candidate"] as? [String: Any])?["cost_usd"] as? String)
    }

    /// Raw events older than serve's --retain-raw-days are gone (their spend stays in the
    /// rollups): a replay starts at the first hour surely kept and says so, so that its figures
    /// beside actual spend of the same range add up.
    @Test func aRangeOlderThanTheRawEventsKeptIsReplayedFromTheirStart() throws {
        let now = Timestamp.parse("2026-11-30T12:34:00Z")!
        let app = try TestApp(now: now, rawEventRetentionDays: 10)
        let created = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                               body: Array(Self.policy(complexAt: 0.7, legalTier: "frontier").utf8))
        #expect(created.status == 201)
        let response = app.send("POST", "/v1/policies/simulate?from=2026-11-01&to=2026-12-01", key: app.adminKey,
                                contentType: "application/yaml", body: Array(Self.policy(complexAt: 0.5, legalTier: "standard").utf8))
        let answer = try JSONSupport.object(response.body)
        #expect(answer["from"] as? String == "2026-11-20T13:00:00Z", "\(response.bodyText)")
        #expect(answer["raw_events_kept_from"] as? String == "2026-11-20T13:00:00Z")
        let before = app.send("POST", "/v1/policies/simulate?from=2026-11-01&to=2026-11-15", key: app.adminKey,
                              contentType: "application/yaml", body: Array(Self.policy(complexAt: 0.5, legalTier: "standard").utf8))
        #expect(before.status == 400)
        #expect((try JSONSupport.object(before.body)["error"] as? [String: Any])?["field"] as? String == "from")
    }

    @Test func badCandidatesAndParametersAreNamed() throws {
        let app = try TestApp()
        _ = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                     body: Array(Self.policy(complexAt: 0.7, legalTier: "frontier").utf8))
        let invalid = app.send("POST", "/v1/policies/simulate", key: app.adminKey, contentType: "application/yaml",
                               body: Array(Self.policy(complexAt: 0.7, legalTier: "galaxy").utf8))
        #expect(invalid.status == 422 && invalid.bodyText.contains("galaxy"))
        #expect(app.send("POST", "/v1/policies/simulate?days=0", key: app.adminKey, contentType: "application/yaml",
                         body: Array(Self.policy(complexAt: 0.5, legalTier: "standard").utf8)).status == 400)
        #expect(app.send("POST", "/v1/policies/simulate", key: app.viewerKey, contentType: "application/yaml", body: []).status == 403)
    }
}
