import BursarCore
import Testing

@Suite struct RollupTests {
    @Test func histogramPercentilesAreWithinABucket() {
        var histogram = LatencyHistogram()
        for millis in 1...1000 { histogram.record(Int64(millis)) }
        for (q, exact) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let estimate = Double(histogram.percentile(q)!)
            #expect(abs(estimate - exact) / exact < 0.0625)
        }
        #expect(LatencyHistogram().percentile(0.5) == nil)
    }

    @Test func histogramSurvivesEncodingAndMerging() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(3)
        a.record(250, count: 300)
        b.record(86_400_000)
        b.record(0)
        var merged = LatencyHistogram(encoded: a.encoded)
        merged.merge(LatencyHistogram(encoded: b.encoded))
        #expect(merged.total == 303)
        #expect(LatencyHistogram(encoded: merged.encoded) == merged)
    }

    @Test func baselineCountsFirstAttemptsOnlyAndNeverUnpricedOnes() throws {
        let costing = Costing(catalog: PriceCatalog(version: 1, prices: [
            ModelPrice(id: 1, provider: "openai", model: "gpt-4o", effectiveFrom: 0, inputPerMillion: Money(decimal: "2.50")!,
                       outputPerMillion: Money(decimal: "10")!),
            ModelPrice(id: 2, provider: "groq", model: "small", effectiveFrom: 0, inputPerMillion: Money(decimal: "0.05")!,
                       outputPerMillion: Money(decimal: "0.08")!),
        ]), baselineModel: ModelKey(provider: "openai", model: "gpt-4o"))
        var event = UsageEvent(id: "1", source: "s", time: 10, model: "small", provider: "groq", tier: "fast",
                               inputTokens: 1_000_000, outputTokens: 1_000_000)
        let first = try costing.cost(of: event)
        #expect(first.cost == Money(decimal: "0.13")! && first.baseline == Money(decimal: "12.50")! && first.basis == .catalog && first.priceID == 2)
        event.attempt = 2
        event.reason = .escalation
        #expect(try costing.cost(of: event).baseline == .zero)
        event.model = "unknown"
        #expect(try costing.cost(of: event).basis == .unpriced)
        event.reportedCost = Money(decimal: "0.42")!
        let reported = try costing.cost(of: event)
        #expect(reported.basis == .reported && reported.cost == Money(decimal: "0.42")!)
    }

    @Test func priceInEffectAtTheEventTimeIsUsed() {
        let key = ModelKey(provider: "p", model: "m")
        let catalog = PriceCatalog(version: 1, prices: [
            ModelPrice(id: 1, provider: "p", model: "m", effectiveFrom: 0, inputPerMillion: Money(decimal: "1")!, outputPerMillion: .zero),
            ModelPrice(id: 2, provider: "p", model: "m", effectiveFrom: 1000, inputPerMillion: Money(decimal: "2")!, outputPerMillion: .zero),
        ])
        #expect(catalog.price(for: key, at: 999)?.id == 1)
        #expect(catalog.price(for: key, at: 1000)?.id == 2)
        #expect(catalog.price(for: ModelKey(provider: "p", model: "other"), at: 1000) == nil)
    }

    @Test func queriesUseTheSmallestCoveringCuboid() throws {
        let now = Timestamp.parse("2026-11-22T19:32:06Z")!
        #expect(try SpendQuery.parse(["group_by": "tier,model"], now: now).cuboid == .traffic)
        #expect(try SpendQuery.parse(["group_by": "user"], now: now).cuboid == .users)
        #expect(try SpendQuery.parse(["group_by": "user", "tier": "frontier"], now: now).cuboid == .users)
        #expect(try SpendQuery.parse(["group_by": "user,model"], now: now).cuboid == .detail)
    }

    @Test(arguments: [
        (["group_by": "colour"], "group_by"), (["from": "last week"], "from"), (["limit": "0"], "limit"),
        (["interval": "year"], "interval"), (["order": "name"], "order"),
        (["from": "2026-11-10", "to": "2026-11-01"], "to"),
    ])
    func badParametersAreNamed(parameters: [String: String], field: String) {
        #expect {
            try SpendQuery.parse(parameters, now: 1_795_375_926_000)
        } throws: { error in
            (error as? FieldError)?.field == field
        }
    }

    @Test func rangesWidenToWholeHoursAndDefaultToThirtyDays() throws {
        let now = Timestamp.parse("2026-11-22T19:32:06Z")!
        let query = try SpendQuery.parse(["from": "2026-11-01T10:30:00Z", "to": "2026-11-02T10:30:00Z"], now: now)
        #expect(Timestamp.format(query.from) == "2026-11-01T10:00:00Z" && Timestamp.format(query.to) == "2026-11-02T11:00:00Z")
        let defaults = try SpendQuery.parse([:], now: now)
        #expect(Timestamp.format(defaults.to) == "2026-11-22T20:00:00Z" && Timestamp.format(defaults.from) == "2026-10-24T00:00:00Z")
    }
}
