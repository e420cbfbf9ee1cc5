import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// A router key sends events each within the per-event limits whose sums would overflow 64
/// bits: the event or batch that would overflow is refused with 422 naming the counter,
/// nothing else is refused, nothing wraps, and every later read answers.
@Suite struct OverflowTests {
    static let now = Int64(Date().timeIntervalSince1970 * 1000)
    /// An hour ago, but inside this month, which the month budget covers (in a month's first
    /// hour, an hour ago was last month's spend and the budget read "ok").
    static let time = Timestamp.format(max(UTC.monthStart(now), UTC.hourStart(now) - UTC.millisPerHour))
    /// $10,000 per 1M tokens (the catalog's limit): 10^8 input tokens cost $1,000,000 = 10^15 nano-USD.
    static let catalog = TestPrices.catalog + [
        TestPrices.price("luxury", "dearest", input: "10000", output: "10000"),
        TestPrices.price("luxury", "dearer", input: "10000", output: "10000"),
    ]
    /// How many $1,000,000 events fit in one 64-bit nano-USD counter.
    static let fitting = Int(Int64.max / 1_000_000_000_000_000)

    /// Each model's events go to a user of its own, so that no rollup row holds both models.
    func dearest(_ id: String, model: String = "dearest") -> JSONValue {
        EventJSON.event(id, time: Self.time, model: model, provider: "luxury", tier: "frontier",
                        input: UsageLimits.maximumTokens, output: 0, extra: [("user", .string("user-of-\(model)"))])
    }

    func answer(_ response: Response) throws -> [String: Any] { try JSONSupport.object(response.body) }

    @Test func theEventThatWouldOverflowIsRefusedAloneAndTheRestIsStored() throws {
        let app = try TestApp(catalog: Self.catalog)
        let batch = (0..<(Self.fitting + 3)).map { dearest("d\($0)") }
        let response = app.postEvents(batch)
        #expect(response.status == 200, "\(response.bodyText.prefix(300))")
        let body = try answer(response)
        #expect(body["accepted"] as? Int == Self.fitting)
        let rejected = try #require(body["rejected"] as? [[String: Any]])
        #expect(rejected.map { $0["index"] as? Int } == [Self.fitting, Self.fitting + 1, Self.fitting + 2])
        let error = try #require(rejected.first?["error"] as? [String: Any])
        #expect(error["field"] as? String == "cost" && error["code"] as? String == "counter_overflow")

        // A later batch whose first event would overflow the stored rows: that event alone is
        // refused (naming the counter), the rest of its batch is stored.
        let later = try answer(app.postEvents([dearest("late-1"), EventJSON.event("late-cheap", time: Self.time)]))
        #expect(later["accepted"] as? Int == 1, "\(later)")
        let lateRejection = try #require((later["rejected"] as? [[String: Any]])?.first)
        #expect(lateRejection["index"] as? Int == 0 && (lateRejection["error"] as? [String: Any])?["field"] as? String == "cost", "\(later)")
        // Other traffic is untouched.
        #expect(app.postEvents([EventJSON.event("cheap", time: Self.time)]).status == 200)

        let spend = try app.getJSON("/v1/spend?group_by=model&model=dearest")
        let total = try #require(spend["total"] as? [String: Any])
        let expected = Money(nanos: Int64(Self.fitting) * 1_000_000_000_000_000)
        #expect(total["cost_usd"] as? String == expected.decimalString, "exact, not wrapped")
        #expect(try app.database.rollupDiscrepancies().isEmpty)
    }

    @Test func oneRouterCannotMakeAnothersEventsBeRefused() throws {
        let app = try TestApp(catalog: Self.catalog)
        let mallory = try app.database.createKey(name: "mallory", role: .router)
        let victim = try app.database.createKey(name: "checkout-router", role: .router)
        func shared(_ id: String) -> JSONValue {
            EventJSON.event(id, time: Self.time, model: "dearest", provider: "luxury", tier: "frontier",
                            input: UsageLimits.maximumTokens, output: 0, extra: [("user", .string("dana")), ("team", .string("checkout"))])
        }
        // Mallory fills every row it may write for Dana, as far as 64 bits go ...
        #expect(try answer(app.postEvents((0..<Self.fitting).map { shared("m\($0)") }, key: mallory))["accepted"] as? Int == Self.fitting)
        // ... and the checkout router's events for Dana, and every other event beside them, are stored.
        let answered = app.postEvents([shared("c1"), EventJSON.event("c2", time: Self.time, extra: [("user", .string("dana"))])], key: victim)
        #expect(answered.status == 200, "\(answered.bodyText)")
        #expect(try answer(answered)["accepted"] as? Int == 2, "\(answered.bodyText)")
        #expect(try app.database.rollupDiscrepancies().isEmpty)
    }

    @Test func aScrapeNeverFailsWhenOneModelsRowsSumPastSixtyFourBits() throws {
        let app = try TestApp(catalog: Self.catalog)
        // One key, one model, two features: each rollup row fits, the model's all-time sum does not.
        for feature in ["a", "b"] {
            let batch = (0..<Self.fitting).map { index in
                EventJSON.event("\(feature)-\(index)", time: Self.time, model: "dearest", provider: "luxury", tier: "frontier",
                                input: UsageLimits.maximumTokens, output: 0, extra: [("feature", .string(feature)), ("user", .string("user-\(feature)"))])
            }
            #expect(try answer(app.postEvents(batch))["accepted"] as? Int == Self.fitting)
        }
        #expect(app.send("GET", "/v1/spend?group_by=model", key: app.viewerKey).status == 422, "an exact report still refuses")
        let metrics = app.send("GET", "/metrics", key: app.viewerKey)
        #expect(metrics.status == 200, "\(metrics.bodyText.prefix(300))")
        let line = metrics.bodyText.split(separator: "\n").first { $0.hasPrefix(#"bursar_spend_usd_total{tier="frontier",provider="luxury",model="dearest"}"#) }
        #expect(line?.hasSuffix(" 9223372036.854776") == true || line?.contains("e+09") == true, "the largest amount: \(line ?? "none")")
        #expect(metrics.bodyText.contains(#"bursar_requests_total{tier="frontier",provider="luxury",model="dearest"} \#(2 * Self.fitting)"#))
    }

    @Test func readsWhoseTotalsWouldOverflowAnswer422AndBudgetsStayExceeded() throws {
        let app = try TestApp(catalog: Self.catalog)
        let budget = #"{"scope":{},"period":"month","limit_usd":"1000","action":"block"}"#
        #expect(app.send("PUT", "/v1/budgets/all", key: app.adminKey, body: Array(budget.utf8)).status == 201)
        // Two models, each row within 64 bits, their sum not.
        for model in ["dearest", "dearer"] {
            let batch = (0..<Self.fitting).map { dearest("\(model)-\($0)", model: model) }
            #expect(try answer(app.postEvents(batch))["accepted"] as? Int == Self.fitting)
        }
        let byModel = app.send("GET", "/v1/spend?group_by=model", key: app.viewerKey)
        #expect(byModel.status == 422 && byModel.bodyText.contains("\"field\":\"cost\""), "\(byModel.bodyText)")
        #expect(app.send("GET", "/v1/spend/summary", key: app.viewerKey).status == 422)
        #expect(app.send("GET", "/v1/spend.csv?group_by=model", key: app.viewerKey).status == 422)
        // Each model alone still answers.
        #expect(app.send("GET", "/v1/spend?model=dearest", key: app.viewerKey).status == 200)
        // The block budget is exceeded (never wrapped to negative and "ok").
        let status = try app.getJSON("/v1/budgets/all/status")
        #expect(status["state"] as? String == "exceeded", "\(status)")
        let bundle = try JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body)
        let budgets = try #require(bundle["budgets"] as? [[String: Any]])
        #expect(budgets.first?["state"] as? String == "exceeded")
        // /metrics exports per-row samples: no total to overflow, so it keeps answering.
        let metrics = app.send("GET", "/metrics", key: app.viewerKey)
        #expect(metrics.status == 200 && metrics.bodyText.contains(#"bursar_spend_usd_total{tier="frontier",provider="luxury",model="dearest"}"#),
                "\(metrics.bodyText.prefix(300))")
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
        // A read that stopped at an overflow leaves no snapshot behind: later writes are seen.
        #expect(app.postEvents([EventJSON.event("after-overflow", time: Self.time)]).status == 200)
        let after = try app.getJSON("/v1/spend?model=gpt-4o-mini")
        #expect((after["total"] as? [String: Any])?["requests"] as? Int == 1, "\(after)")
        #expect(app.send("PUT", "/v1/budgets/later", key: app.adminKey, body: Array(#"{"period":"day","limit_usd":"5"}"#.utf8)).status == 201)
        #expect(app.send("GET", "/v1/budgets/later", key: app.viewerKey).status == 200)
    }

    @Test func perEventLimitsAreWhatTheReadmeStates() throws {
        let app = try TestApp(catalog: Self.catalog)
        let cases: [(JSONValue, String)] = [
            (EventJSON.event("t1", time: Self.time, input: UsageLimits.maximumTokens + 1), "input_tokens"),
            (EventJSON.event("t2", time: Self.time, output: UsageLimits.maximumTokens + 1), "output_tokens"),
            (EventJSON.event("t3", time: Self.time, extra: [("context_tokens", .integer(UsageLimits.maximumTokens + 1))]), "context_tokens"),
            (EventJSON.event("t4", time: Self.time, extra: [("cost_usd", .string("100000.000000001"))]), "cost_usd"),
        ]
        for (event, field) in cases {
            let response = app.postEvents([event])
            #expect(response.status == 422 && response.bodyText.contains("\"field\":\"\(field)\""), "\(field): \(response.bodyText)")
        }
        #expect(app.postEvents([EventJSON.event("ok", time: Self.time, input: UsageLimits.maximumTokens,
                                                extra: [("cost_usd", .string("100000"))])]).status == 200)
        let price = #"{"prices":[{"provider":"x","model":"y","input":"10000.01","output":"1"}]}"#
        let refused = app.send("PUT", "/v1/prices", key: app.adminKey, body: Array(price.utf8))
        #expect(refused.status == 422 && refused.bodyText.contains("prices[0].input"), "\(refused.bodyText)")
    }
}
