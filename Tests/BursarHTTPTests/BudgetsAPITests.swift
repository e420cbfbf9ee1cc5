import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

@Suite struct BudgetsAPITests {
    func put(_ app: TestApp, _ id: String, _ body: String) -> Response {
        app.send("PUT", "/v1/budgets/\(id)", key: app.adminKey, body: Array(body.utf8))
    }

    func bundleBudgets(_ app: TestApp) throws -> [String: [String: Any]] {
        let bundle = try JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body)
        let budgets = try #require(bundle["budgets"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: budgets.map { ($0["id"] as! String, $0) })
    }

    @Test func spendMovesBudgetsToDowngradeAndBlockInTheBundle() throws {
        // Mid-month, midday: the day and month budgets below are far from a period's start.
        let app = try TestApp(runningFrom: TestClock.midPeriod)
        let now = Timestamp.format(TestClock.midPeriod)
        #expect(put(app, "support", #"{"scope":{"feature":"support-chat"},"period":"month","timezone":"Europe/Berlin","limit_usd":"0.02","warn_at":0.5,"action":"downgrade","downgrade_to":"fast"}"#).status == 201)
        #expect(put(app, "all", #"{"period":"day","limit_usd":"1000","action":"block"}"#).status == 201)
        #expect(put(app, "u1", #"{"scope":{"user":"u1"},"period":"week","limit_usd":"0.001","action":"block"}"#).status == 201)
        var states = try bundleBudgets(app)
        #expect(states["support"]?["state"] as? String == "ok" && states["support"]?["downgrade_to"] as? String == "fast")

        // 10,000 input tokens of gpt-4o-mini at $0.30/1M (the price since June 2026) = $0.003 each.
        let events = (0..<5).map { EventJSON.event("b\($0)", time: now, input: 10_000, output: 0,
                                                   extra: [("feature", "support-chat"), ("user", "u1")]) }
        #expect(app.postEvents(events).status == 200)
        let status = try app.getJSON("/v1/budgets/support/status")
        #expect(status["spent_usd"] as? String == "0.015000000" && status["state"] as? String == "warning")
        #expect((status["explanation"] as? String)?.contains("warning") == true)
        #expect(app.postEvents((5..<10).map { EventJSON.event("b\($0)", time: now, input: 10_000, output: 0,
                                                              extra: [("feature", "support-chat")]) }).status == 200)
        // The budget monitor evaluates after the commit (soon, with no read asking).
        #expect(try eventually { try bundleBudgets(app)["support"]?["state"] as? String == "exceeded" })
        states = try bundleBudgets(app)
        #expect(states["support"]?["state"] as? String == "exceeded" && states["support"]?["action"] as? String == "downgrade")
        #expect(states["u1"]?["state"] as? String == "exceeded" && states["u1"]?["action"] as? String == "block")
        #expect(states["all"]?["state"] as? String == "ok")
        let exceeded = try #require(try app.getJSON("/v1/budgets?state=exceeded")["budgets"] as? [[String: Any]])
        #expect(Set(exceeded.compactMap { $0["id"] as? String }) == ["support", "u1"])
    }

    @Test func aBadLimitIsNamedAndAdminOnly() throws {
        let app = try TestApp()
        let bad = put(app, "x", #"{"period":"month","limit_usd":"lots"}"#)
        #expect(bad.status == 422)
        #expect((try JSONSupport.object(bad.body)["error"] as? [String: Any])?["field"] as? String == "limit_usd")
        let viewer = app.send("PUT", "/v1/budgets/x", key: app.viewerKey, body: Array(#"{"period":"month","limit_usd":"5"}"#.utf8))
        #expect(viewer.status == 403)
        #expect(put(app, "x", #"{"period":"month","limit_usd":"5"}"#).status == 201)
        #expect(put(app, "x", #"{"period":"week","limit_usd":"7.50"}"#).status == 200)
        #expect(try app.getJSON("/v1/budgets/x")["period"] as? String == "week")
        #expect(app.send("DELETE", "/v1/budgets/x", key: app.adminKey).status == 204)
        #expect(app.send("GET", "/v1/budgets/x", key: app.viewerKey).status == 404)
        let audit = try #require(try app.getJSON("/v1/audit?target=budgets/x")["entries"] as? [[String: Any]])
        #expect(audit.count == 3)
    }

    @Test func scopesNameRealTiersAndZonesAreIANANames() throws {
        let app = try TestApp()
        let policy = try String(contentsOf: ServerProcess.packageRoot.appendingPathComponent("policies/default.yaml"), encoding: .utf8)
        #expect(app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                         body: Array(policy.utf8)).status == 201)
        let unknownTier = put(app, "t", #"{"scope":{"tier":"platinum"},"period":"month","limit_usd":"5"}"#)
        #expect(unknownTier.status == 422 && unknownTier.bodyText.contains("\"field\":\"scope.tier\""), "\(unknownTier.bodyText)")
        #expect(put(app, "t", #"{"scope":{"tier":"frontier"},"period":"month","limit_usd":"5"}"#).status == 201)
        for zone in ["UTC+5", "GMT+5", "EST", "Mars/Olympus", "utc"] {
            let refused = put(app, "z", #"{"period":"day","timezone":"\#(zone)","limit_usd":"5"}"#)
            #expect(refused.status == 422 && refused.bodyText.contains("\"field\":\"timezone\""), "\(zone): \(refused.bodyText)")
        }
        for zone in ["UTC", "Europe/Berlin", "America/New_York", "Etc/GMT-2"] {
            #expect(put(app, "z", #"{"period":"day","timezone":"\#(zone)","limit_usd":"5"}"#).status != 422, "\(zone)")
        }
        // A real zone whose offset is not whole hours is named as such, not as "not IANA".
        let kolkata = put(app, "z", #"{"period":"day","timezone":"Asia/Kolkata","limit_usd":"5"}"#)
        #expect(kolkata.status == 422 && kolkata.bodyText.contains("not a whole number of hours"), "\(kolkata.bodyText)")
    }

    /// End to end over the API: a Berlin day budget on the day summer time ends (25 hours), its
    /// spend from events on both sides of both midnights, and the bundle's state.
    @Test func aDayBudgetInBerlinAcrossTheEndOfSummerTime() throws {
        // 2026-10-25 runs from 2026-10-24T22:00Z to 2026-10-25T23:00Z in Berlin.
        let noon = Timestamp.parse("2026-10-25T11:00:00Z")!
        let app = try TestApp(now: noon)
        #expect(put(app, "berlin", #"{"period":"day","timezone":"Europe/Berlin","limit_usd":"0.01","warn_at":0.5,"action":"block"}"#).status == 201)
        // 10,000 input tokens of gpt-4o-mini at $0.30/1M (its price since June 2026) = $0.003 each.
        let events = [("before", "2026-10-24T21:30:00Z"), ("first", "2026-10-24T22:30:00Z"), ("late", "2026-10-25T22:30:00Z"),
                      ("after", "2026-10-25T23:30:00Z")].map { EventJSON.event($0.0, time: $0.1, input: 10_000, output: 0) }
        #expect(app.postEvents(events).status == 200)
        let status = try app.getJSON("/v1/budgets/berlin/status")
        #expect(status["period_start"] as? String == "2026-10-24T22:00:00Z")
        #expect(status["period_end"] as? String == "2026-10-25T23:00:00Z")
        #expect(status["spent_usd"] as? String == "0.006000000", "the two events of the local day, not the others")
        #expect(status["state"] as? String == "warning")
        #expect(try eventually { try bundleBudgets(app)["berlin"]?["state"] as? String == "warning" })
    }
}
