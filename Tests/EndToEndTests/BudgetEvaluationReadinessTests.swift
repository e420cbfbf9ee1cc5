import BursarCore
import BursarTesting
import Foundation
import GRDB
import Testing

/// Text PostgreSQL cannot hold is refused before it is stored, on every admin and router
/// write; and a monitor that cannot evaluate budgets (so routers keep an older bundle) makes
/// the server not ready until it can again.
@Suite struct BudgetEvaluationReadinessTests {
    @Test func aNulInAnyStoredNameIsRefusedNamingTheField() throws {
        let app = try TestApp()
        let budget = app.send("PUT", "/v1/budgets/nul", key: app.adminKey,
                              body: Array(#"{"scope":{"user":"a\u0000b"},"period":"day","limit_usd":"5","action":"block"}"#.utf8))
        #expect(budget.status == 422 && budget.bodyText.contains(#""field":"scope.user""#), "\(budget.bodyText)")
        let override = app.send("PUT", "/v1/overrides/nul", key: app.adminKey,
                                body: Array(#"{"match":{"team":"x\u0000"},"effect":"min_tier","tier":"standard"}"#.utf8))
        #expect(override.status == 422 && override.bodyText.contains(#""field":"match.team""#), "\(override.bodyText)")
        let fleet = app.send("POST", "/v1/status", key: app.routerKey, body: Array(#"{"instance_id":"edge\u0000"}"#.utf8))
        #expect(fleet.status == 422 && fleet.bodyText.contains(#""field":"instance_id""#), "\(fleet.bodyText)")
        let message = app.send("POST", "/v1/status", key: app.routerKey,
                               body: Array(#"{"instance_id":"edge","error":{"code":"bad","message":"a\u0000b"}}"#.utf8))
        #expect(message.status == 200, "a message keeps what it can: \(message.bodyText)")
        let longID = app.send("PUT", "/v1/budgets/\(String(repeating: "é", count: 60))", key: app.adminKey,
                              body: Array(#"{"period":"day","limit_usd":"5","action":"alert"}"#.utf8))
        #expect(longID.status == 422, "60 characters are 120 bytes: \(longID.bodyText)")
        #expect(try app.getJSON("/v1/budgets")["budgets"] != nil)
        #expect(app.send("GET", "/readyz", key: nil).status == 200)
    }

    @Test func readinessSaysWhenBudgetsCannotBeEvaluated() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let path = directory + "/bursar.db"
        let app = try TestApp(path: path)
        #expect(app.send("GET", "/readyz", key: nil).status == 200)
        let other = try DatabaseQueue(path: path)
        try other.write { db in try db.execute(sql: "ALTER TABLE budgets RENAME TO budgets_away") }
        app.application.monitor.evaluate()
        let notReady = app.send("GET", "/readyz", key: nil)
        #expect(notReady.status == 503 && notReady.bodyText.contains("budgets could not be evaluated"), "\(notReady.bodyText)")
        #expect(!notReady.bodyText.contains("budgets_away") && !notReady.bodyText.contains("no such table"), "the cause is logged, not answered")
        try other.write { db in try db.execute(sql: "ALTER TABLE budgets_away RENAME TO budgets") }
        app.application.monitor.evaluate()
        #expect(app.send("GET", "/readyz", key: nil).status == 200)
    }
}
