import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import GRDB
import Testing

/// The budget monitor when the store fails under it: a failed evaluation is retried by itself
/// (not left for the next commit, which may never come), and until a first bundle exists the
/// routes that need it answer 503, not 500.
@Suite struct BudgetMonitorRecoveryTests {
    /// Renames a table of the database at `path` from another connection (as a failing disk or
    /// a locked file would make it unusable), and back.
    func rename(_ path: String, _ from: String, _ to: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: "ALTER TABLE \(from) RENAME TO \(to)") }
        try queue.close()
    }

    func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("monitor-\(UUID().uuidString).db").path
    }

    @Test func anEvaluationThatFailedIsRetriedWithoutAnotherCommit() throws {
        let path = path()
        let app = try TestApp(path: path, runningFrom: TestClock.midPeriod)
        #expect(app.send("PUT", "/v1/budgets/tiny", key: app.adminKey,
                         body: Array(#"{"period":"day","limit_usd":"0.001","action":"block"}"#.utf8)).status == 201)
        try rename(path, "alerts", "alerts_away")
        let time = Timestamp.format(TestClock.midPeriod)
        #expect(app.postEvents([EventJSON.event("x1", time: time, input: 1_000_000, output: 0)]).status == 200)
        // The evaluation after that commit publishes the bundle but cannot record the alert.
        #expect(eventually { (try? JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body))
            .flatMap { ($0["budgets"] as? [[String: Any]])?.first?["state"] as? String } == "exceeded" })
        try rename(path, "alerts_away", "alerts")
        // No new commit, no admin change: the monitor retries by itself and records it.
        #expect(eventually { (try? app.database.alerts().map(\.toState)) == ["exceeded"] })
    }

    /// While every evaluation fails (a table gone), with the bundle due again (its issue older
    /// than the re-issue time), the monitor retries once a second, not ten times.
    @Test func failingEvaluationsAreRetriedOnceASecond() throws {
        let path = path()
        let app = try TestApp(path: path, runningFrom: TestClock.midPeriod)
        try rename(path, "overrides", "overrides_away")
        app.clock.advance(seconds: 16 * 60)  // past the bundle's re-issue time: it is due on every pass
        app.application.monitor.evaluate()
        #expect(app.application.monitor.failingSinceMillis != nil)
        let before = app.application.monitor.failedEvaluationCount
        Thread.sleep(forTimeInterval: 3)
        let failed = app.application.monitor.failedEvaluationCount - before
        #expect((1...5).contains(failed), "\(failed) failed evaluations in 3 s")
        try rename(path, "overrides_away", "overrides")
        #expect(eventually { app.application.monitor.failingSinceMillis == nil }, "recovered by itself")
    }

    @Test func untilAFirstBundleExistsRoutesThatNeedOneAnswer503ThenRecover() throws {
        let path = path()
        do {
            let database = try SQLiteDatabase(path: path, durability: .normal)
            try rename(database.path, "overrides", "overrides_away")
        }
        let app = try TestApp(path: path, runningFrom: TestClock.midPeriod)
        for (method, target, key) in [("GET", "/v1/fleet", app.viewerKey), ("GET", "/metrics", app.viewerKey),
                                      ("GET", "/v1/bundle", app.routerKey)] {
            let response = app.send(method, target, key: key)
            #expect(response.status == 503 && response.header("Retry-After") != nil, "\(method) \(target): \(response.status)")
        }
        try rename(path, "overrides_away", "overrides")
        #expect(eventually { app.send("GET", "/v1/fleet", key: app.viewerKey).status == 200 })
        #expect(app.send("GET", "/v1/bundle", key: app.routerKey).status == 200)
    }
}
