import BursarCore
import Testing

/// Every sum is checked: it fits, or the counter that would overflow is named; never a trap,
/// never a wrap, and a refused add changes nothing.
@Suite struct CheckedSumTests {
    /// A deterministic source of extreme values: the edges of Int64 and random values near them.
    struct Extremes {
        var state: UInt64

        mutating func next() -> Int64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let edges: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1, .max / 2, .min / 2]
            switch z % 4 {
            case 0: return edges[Int((z >> 8) % UInt64(edges.count))]
            case 1: return Int64.max - Int64((z >> 8) % 1_000_000)
            case 2: return Int64.min + Int64((z >> 8) % 1_000_000)
            default: return Int64(bitPattern: z)
            }
        }
    }

    @Test func checkedAdditionEqualsTheExactSumOrNamesTheCounter() {
        var values = Extremes(state: 42)
        for _ in 0..<100_000 {
            let a = values.next()
            let b = values.next()
            let exact = Int128(a) + Int128(b)
            do {
                let sum = try a.adding(b, counter: "cost")
                #expect(Int128(sum) == exact)
            } catch {
                #expect(error.counter == "cost")
                #expect(exact > Int128(Int64.max) || exact < Int128(Int64.min))
            }
        }
    }

    @Test func moneyNeverWraps() throws {
        let almost = Money(nanos: .max - 1)
        #expect(try almost.adding(Money(nanos: 1)) == Money(nanos: .max))
        #expect(throws: CounterOverflow(counter: "cost")) { try almost.adding(Money(nanos: 2)) }
        #expect(throws: CounterOverflow(counter: "savings")) { try Money(nanos: .min).subtracting(Money(nanos: 1)) }
    }

    @Test func aRefusedAddLeavesTheMetricsAsTheyWere() throws {
        var metrics = RollupMetrics()
        try metrics.add(requests: 1, inputTokens: 5, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0,
                        cost: .max - 10, baselineCost: 0, reportedCost: 0, unpricedRequests: 0, errors: 0)
        let before = metrics
        var event = UsageEvent(id: "e", source: "s", time: 0, model: "m", provider: "p", tier: "t", inputTokens: 100, outputTokens: 100)
        event.latencyMillis = 40
        let cost = EventCost(cost: Money(nanos: 11), baseline: .zero, basis: .catalog, priceID: 1)
        #expect(throws: CounterOverflow(counter: "cost")) { try metrics.add(event: event, cost: cost) }
        #expect(metrics == before, "requests, tokens and latency untouched by the refused event")
        #expect(throws: CounterOverflow(counter: "cost")) { try metrics.merge(before) }
        #expect(metrics == before)
    }

    @Test func everyCounterIsNamedWhenItOverflows() {
        let names = ["requests", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens",
                     "cost", "baseline_cost", "cost_usd", "unpriced_requests", "errors"]
        for (position, name) in names.enumerated() {
            var values = [Int64](repeating: 0, count: 10)
            values[position] = .max
            var metrics = RollupMetrics()
            #expect(throws: Never.self) {
                try metrics.add(requests: values[0], inputTokens: values[1], cachedInputTokens: values[2], outputTokens: values[3],
                                reasoningTokens: values[4], cost: values[5], baselineCost: values[6], reportedCost: values[7],
                                unpricedRequests: values[8], errors: values[9])
            }
            values[position] = 1
            #expect(throws: CounterOverflow(counter: name)) {
                try metrics.add(requests: values[0], inputTokens: values[1], cachedInputTokens: values[2], outputTokens: values[3],
                                reasoningTokens: values[4], cost: values[5], baselineCost: values[6], reportedCost: values[7],
                                unpricedRequests: values[8], errors: values[9])
            }
        }
    }

    @Test func theDearestEventAtTheLimitsIsPricedExactly() throws {
        let dearest = Money(nanos: UsageLimits.maximumPricePerMillionUSD * Money.nanosPerDollar)
        let price = ModelPrice(provider: "p", model: "m", effectiveFrom: 0, inputPerMillion: dearest, outputPerMillion: dearest)
        let tokens = UsageLimits.maximumTokens
        let cost = try price.cost(input: tokens, cachedInput: 0, output: tokens, reasoning: tokens)
        #expect(cost == Money(nanos: 2 * 1_000_000 * Money.nanosPerDollar), "2 × 10^8 tokens at $10,000 per 1M = $2,000,000")
        // A price from past the limits (stored by an older version) is refused, never clamped.
        let absurd = ModelPrice(provider: "p", model: "m", effectiveFrom: 0, inputPerMillion: Money(nanos: .max), outputPerMillion: .zero)
        #expect(throws: CounterOverflow(counter: "cost")) { try absurd.cost(input: tokens, cachedInput: 0, output: 0, reasoning: 0) }
        // Tokens beyond the limits never reach a price: the event decoder refuses them.
        #expect(throws: FieldError.self) {
            try PriceList.prices(from: [["provider": "p", "model": "m", "input": "10000.000000001", "output": "1"]])
        }
    }

    @Test func aForecastTooLargeToRepresentIsNilNotClamped() {
        let forecast = Forecast.monthEnd(monthToDate: Money(nanos: .max / 2), recent: Money(nanos: .max / 2),
                                         recentMillis: 1, remainingMillis: 1_000)
        #expect(forecast == nil)
        #expect(Forecast.monthEnd(monthToDate: Money(nanos: 10), recent: Money(nanos: 10), recentMillis: 10, remainingMillis: 20) == Money(nanos: 30))
    }
}
