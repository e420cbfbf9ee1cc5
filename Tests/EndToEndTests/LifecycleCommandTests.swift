import BursarCore
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import Testing

/// The README's lifecycle commands, run as an operator would: `bursar backup` while the server
/// takes events, and `serve --retain-raw-days`.
@Suite struct LifecycleCommandTests {
    static let day: Int64 = 86_400_000

    /// Stores `count` events `daysAgo` days back, straight through a writer (the API takes only recent ones).
    static func seed(_ path: String, prefix: String, count: Int, daysAgo: Int64) throws {
        let database = try BursarDatabase(path: path)
        let writer = IngestWriter(database: database)
        defer { writer.close() }
        let time = WallClock.system() - daysAgo * Self.day
        let events = (0..<count).map { index in
            PricedEvent(event: UsageEvent(id: "\(prefix)-\(index)", source: "seed", time: time + Int64(index), model: "gpt-4o",
                                          provider: "openai", tier: "frontier", inputTokens: 10, outputTokens: 10),
                        cost: EventCost(cost: Money(nanos: 5), baseline: Money(nanos: 5), basis: .catalog, priceID: 1))
        }
        let done = DispatchSemaphore(value: 0)
        try writer.submit(events) { _ in done.signal() }
        done.wait()
    }

    @Test func backupCopiesALiveDatabaseThatServesAgain() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        try Self.seed(database, prefix: "old", count: 500, daysAgo: 1)
        let server = try ServerProcess(database: database)
        let copy = directory + "/copy.db"
        let (status, output) = try ServerProcess.outcome(["backup", "--db", database, "--to", copy])
        #expect(status == 0 && output.contains("backed up"), "\(output)")
        _ = server.terminate()
        let restored = try BursarDatabase(path: copy)
        #expect(try restored.eventIDs(source: "seed").count == 500)
        #expect(try restored.rollupDiscrepancies().isEmpty)
        #expect(try restored.authenticate(secret: keys.router)?.name == "sdk-router", "keys come along")
        // The copy is a database `serve` opens.
        let second = try ServerProcess(database: copy)
        #expect(try second.connection().send("GET", "/readyz").status == 200)
        #expect(second.terminate() == 0)
    }

    @Test func serveDeletesRawEventsPastTheRetentionWindowAndKeepsTheirSpend() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        try Self.seed(database, prefix: "old", count: 300, daysAgo: 3)
        try Self.seed(database, prefix: "new", count: 200, daysAgo: 0)
        let server = try ServerProcess(database: database, extraArguments: ["--retain-raw-days", "2"])
        // Retention runs once at start, then every minute.
        let store = try BursarDatabase(path: database)
        #expect(eventually(within: 20) { (try? store.eventIDs(source: "seed").count) == 200 })
        let from = Timestamp.format((WallClock.system() - 4 * Self.day) / 3_600_000 * 3_600_000)
        let spend = try JSONValue.parse(server.connection().send("GET", "/v1/spend?from=\(from)", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
        #expect(spend[member: "total"]?[member: "requests"]?.integerValue == 500, "the rollups keep the deleted events' spend")
        #expect(server.terminate() == 0)
    }
}
