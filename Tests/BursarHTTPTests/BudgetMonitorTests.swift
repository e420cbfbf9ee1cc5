import BursarCore
import BursarHTTP
import BursarServices
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import HTTPToolkit
import Testing

/// The budget monitor is the only thing that evaluates budgets and records their state
/// changes: commits and the clock drive it, reads never do.
@Suite struct BudgetMonitorTests {
    /// 2026-11-26 10:00 UTC.
    static let morning: Int64 = 1_795_687_200_000

    func budgetState(_ app: TestApp, _ id: String) throws -> String? {
        let bundle = try JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body)
        let budgets = try #require(bundle["budgets"] as? [[String: Any]])
        return budgets.first { $0["id"] as? String == id }?["state"] as? String
    }

    /// A $0.01-a-day budget, then $0.015 of spend (5 × 10,000 input tokens at $0.30/1M).
    func overspend(_ app: TestApp, at time: Int64) {
        _ = app.send("PUT", "/v1/budgets/daily", key: app.adminKey,
                     body: Array(#"{"period":"day","limit_usd":"0.01","action":"block"}"#.utf8))
        let events = (0..<5).map { EventJSON.event("m\($0)-\(time)", time: Timestamp.format(time), input: 10_000, output: 0) }
        #expect(app.postEvents(events).status == 200)
    }

    @Test func readsNeitherEvaluateBudgetsNorRecordAlerts() throws {
        let app = try TestApp(now: Self.morning)
        app.application.monitor.stop()
        overspend(app, at: Self.morning)
        // Every kind of read, many times: the bundle, its 304, long-poll-free metrics, reports.
        for _ in 0..<5 {
            #expect(try budgetState(app, "daily") == "ok", "the bundle is what the monitor last published")
            #expect(app.send("GET", "/metrics", key: app.viewerKey).status == 200)
            #expect(app.send("GET", "/v1/budgets/daily/status", key: app.viewerKey).status == 200)
            #expect(app.send("GET", "/v1/spend/summary", key: app.viewerKey).status == 200)
            #expect(app.send("GET", "/v1/fleet", key: app.viewerKey).status == 200)
        }
        #expect(try app.database.alerts().isEmpty, "no read recorded an alert")
        #expect(try app.getJSON("/v1/budgets/daily/status")["state"] as? String == "exceeded", "the spend is there to be read")

        app.application.monitor.evaluate()
        #expect(try budgetState(app, "daily") == "exceeded")
        #expect(try app.database.alerts().map(\.toState) == ["exceeded"])
    }

    @Test func commitsOfNewSpendDriveTheMonitor() throws {
        let app = try TestApp(now: Self.morning)
        overspend(app, at: Self.morning)
        #expect(try eventually { try budgetState(app, "daily") == "exceeded" }, "evaluated after the commit, with no read asking")
        #expect(try eventually { try app.database.alerts().count == 1 })
        app.application.monitor.evaluate()
        #expect(try app.database.alerts().count == 1, "one crossing, one alert, however often it is evaluated")
    }

    @Test func aPeriodRollingOverWakesTheRoutersWaitingForAChange() throws {
        let app = try TestApp(now: Self.morning)
        overspend(app, at: Self.morning)
        #expect(try eventually { try budgetState(app, "daily") == "exceeded" })
        let held = app.send("GET", "/v1/bundle", key: app.routerKey)
        let etag = try #require(held.header("ETag"))
        let reply = app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: [
            "Authorization": "Bearer \(app.routerKey)", "If-None-Match": etag, "Prefer": "wait=60"]))
        guard case .pending(let pending) = reply else { Issue.record("expected the poll to wait"); return }
        // The next day begins (the test clock moves 15 hours): the budget's period ends.
        app.clock.advance(seconds: 15 * 3600)
        let response = pending.wait()
        #expect(response.status == 200 && response.header("ETag") != etag)
        let budgets = try #require(try JSONSupport.object(response.body)["budgets"] as? [[String: Any]])
        #expect(budgets.first { $0["id"] as? String == "daily" }?["state"] as? String == "ok")
        #expect(try eventually { try app.database.alerts().map(\.toState).sorted() == ["exceeded", "ok"] }, "the return to ok is recorded")
    }
}
