import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// A fixed corpus whose totals the test computes itself, with Foundation's Decimal,
/// from the price table; the API's figures must match to the nano-dollar. The table has
/// prices in fractions of a nano-dollar per token (every such event rounds, half to even,
/// once) and reasoning priced apart from output.
@Suite struct ExactMoneyTests {
    struct Price {
        var input: Decimal, cached: Decimal, output: Decimal, reasoning: Decimal
    }

    /// The same table as TestPrices, written out again as decimals (an independent copy).
    static func price(model: String, time: Int64) -> Price? {
        let priceChange = Timestamp.parse("2026-06-01T00:00:00Z")!
        switch model {
        case "gpt-4o": return Price(input: 2.5, cached: 1.25, output: 10, reasoning: 10)
        case "gpt-4o-mini" where time < priceChange: return Price(input: 0.15, cached: 0.075, output: 0.6, reasoning: 0.6)
        case "gpt-4o-mini": return Price(input: 0.3, cached: 0.15, output: 1.2, reasoning: 1.2)
        case "llama-3.1-8b-instant": return Price(input: 0.05, cached: 0.05, output: 0.08, reasoning: 0.08)
        case "claude-3-5-haiku-20241022": return Price(input: 0.8, cached: 0.08, output: 4, reasoning: 4)
        case "o3": return Price(input: 2, cached: 0.5, output: 8, reasoning: 9.5)
        case "tiny-frac": return Price(input: Decimal(string: "0.0015")!, cached: Decimal(string: "0.0005")!,
                                       output: Decimal(string: "0.0025")!, reasoning: Decimal(string: "0.0035")!)
        default: return nil
        }
    }

    static func nanos(_ price: Price, input: Int64, cached: Int64, output: Int64, reasoning: Int64) -> Decimal {
        var usd = (Decimal(input - cached) * price.input + Decimal(cached) * price.cached
            + Decimal(output - reasoning) * price.output + Decimal(reasoning) * price.reasoning) / 1_000_000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &usd, 9, .bankers)
        return rounded * 1_000_000_000
    }

    static func text(_ nanos: Decimal) -> String {
        Money(nanos: Int64(truncating: nanos as NSNumber)).decimalString
    }

    struct Expected {
        var cost: [String: Decimal] = [:]
        var total = Decimal(0)
        var baseline = Decimal(0)
        var unpriced = 0
    }

    @Test func totalsByUserFeatureAndTierMatchToTheNanoDollar() throws {
        let app = try TestApp()
        let models = [("openai", "gpt-4o", "frontier"), ("openai", "gpt-4o-mini", "standard"), ("groq", "llama-3.1-8b-instant", "fast"),
                      ("anthropic", "claude-3-5-haiku-20241022", "standard"), ("openai", "o3", "frontier"),
                      ("groq", "tiny-frac", "fast"), ("mystery", "unpriced-model", "fast")]
        let start = Timestamp.parse("2026-05-30T07:00:00Z")!
        var seed: UInt64 = 12345
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((seed >> 33) % UInt64(bound))
        }
        var byUser = Expected(), byFeature = Expected(), byTier = Expected()
        var events: [JSONValue] = []
        for index in 0..<3000 {
            let (provider, model, tier) = models[Int(next(Int64(models.count)))]
            let time = start + next(6 * UTC.millisPerDay)
            let input = next(200_000) + 1, output = next(20_000)
            let cached = next(input + 1), reasoning = model == "o3" || model == "tiny-frac" ? next(output + 1) : 0
            let attempt = next(10) == 0 ? Int64(2) : 1
            let user = "user-\(next(40))", feature = ["chat", "search", "code"][Int(next(3))]
            var extra: [(String, JSONValue)] = [("user", .string(user)), ("feature", .string(feature)),
                                                ("cached_input_tokens", .integer(cached)), ("reasoning_tokens", .integer(reasoning)),
                                                ("attempt", .integer(attempt)), ("latency_ms", .integer(next(5000)))]
            var cost = Decimal(0), baseline = Decimal(0), unpriced = 0
            if let price = Self.price(model: model, time: time) {
                cost = Self.nanos(price, input: input, cached: cached, output: output, reasoning: reasoning)
            } else if index % 2 == 0 {
                extra.append(("cost_usd", .string("0.000123457")))
                cost = 123_457
            } else {
                unpriced = 1
            }
            if unpriced == 0, attempt == 1 {
                baseline = Self.nanos(Self.price(model: "gpt-4o", time: time)!, input: input, cached: cached, output: output, reasoning: reasoning)
            }
            byUser.cost[user, default: 0] += cost
            byFeature.cost[feature, default: 0] += cost
            byTier.cost[tier, default: 0] += cost
            byUser.total += cost
            byUser.baseline += baseline
            byUser.unpriced += unpriced
            events.append(EventJSON.event("m-\(index)", time: Timestamp.format(time), model: model, provider: provider,
                                          tier: tier, input: input, output: output, extra: extra))
        }
        for chunk in stride(from: 0, to: events.count, by: 500) {
            #expect(app.postEvents(Array(events[chunk..<min(chunk + 500, events.count)])).status == 200)
        }
        let range = "from=2026-05-30T07:30:00Z&to=2026-06-05T08:00:00Z"
        for (dimension, expected) in [("user", byUser), ("feature", byFeature), ("tier", byTier)] {
            let answer = try app.getJSON("/v1/spend?group_by=\(dimension)&limit=1000&\(range)")
            let rows = try #require(answer["rows"] as? [[String: Any]])
            #expect(rows.count == expected.cost.count)
            var sum = Money.zero
            for row in rows {
                let name = try #require(row[dimension] as? String)
                let cost = try #require(row["cost_usd"] as? String)
                #expect(cost == Self.text(expected.cost[name]!), "\(dimension) \(name)")
                sum = try sum.adding(#require(Money(decimal: cost)))
            }
            let total = try #require(answer["total"] as? [String: Any])
            #expect(total["cost_usd"] as? String == Self.text(byUser.total))
            #expect(sum.decimalString == Self.text(byUser.total), "the \(dimension) groups sum to the total")
        }
        let summary = try app.getJSON("/v1/spend/summary?\(range)")
        #expect(summary["cost_usd"] as? String == Self.text(byUser.total))
        #expect(summary["baseline_cost_usd"] as? String == Self.text(byUser.baseline))
        #expect(summary["savings_usd"] as? String == Self.text(byUser.baseline - byUser.total))
        #expect(summary["unpriced_requests"] as? Int == byUser.unpriced)
        #expect(summary["requests"] as? Int == 3000)
        let byDay = try app.getJSON("/v1/spend?interval=day&\(range)")
        let days = try #require(byDay["rows"] as? [[String: Any]])
        let daySum = try days.reduce(Money.zero) { try $0.adding(#require(Money(decimal: $1["cost_usd"] as? String ?? ""))) }
        #expect(daySum.decimalString == Self.text(byUser.total), "the days sum to the total")
        #expect(try app.database.rollupDiscrepancies().isEmpty)
    }
}
