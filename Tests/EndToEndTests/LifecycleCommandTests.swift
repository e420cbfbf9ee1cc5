import Locking
import BursarHTTPClient
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
        let database = try SQLiteDatabase(path: path)
        let writer = IngestWriter(database: database, logger: .forTests)
        writer.start()
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

    @Test func serveStartsOnADatabaseAtItsCapServesReadsAndIsNotReady() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let (status, output) = try ServerProcess.outcome(["serve", "--db", database, "--max-db-mib", "2"])
        #expect(status != 0 && output.contains("--max-db-mib must be 0 (no cap) or at least 4"), "\(output)")
        // Filled to a 4 MiB cap through a writer, until it refuses.
        do {
            let store = try SQLiteDatabase(path: database, maximumBytes: 4 << 20)
            let writer = IngestWriter(database: store, logger: .forTests)
            writer.start()
            defer { writer.close() }
            var refused = false
            for batch in 0..<100 where !refused {
                let events = (0..<1_000).map { index in
                    PricedEvent(event: UsageEvent(id: "fill-\(batch)-\(index)", source: "seed", time: WallClock.system(), model: "gpt-4o",
                                                  provider: "openai", tier: "frontier", inputTokens: 10, outputTokens: 10),
                                cost: EventCost(cost: Money(nanos: 5), baseline: Money(nanos: 5), basis: .catalog, priceID: 1))
                }
                let done = DispatchSemaphore(value: 0)
                let result = Locked<Bool>(true)
                try writer.submit(events) { outcome in
                    if case .failure = outcome { result.withLock { $0 = false } }
                    done.signal()
                }
                done.wait()
                refused = !result.withLock { $0 }
            }
            try #require(refused, "the cap was never reached")
        }
        let server = try ServerProcess(database: database, extraArguments: ["--max-db-mib", "4"])
        let connection = server.connection()
        let ready = try connection.send("GET", "/readyz")
        let readiness = String(decoding: ready.body, as: UTF8.self)
        #expect(ready.status == 503 && readiness.contains("full"), "\(readiness)")
        let summary = try connection.send("GET", "/v1/spend/summary", headers: ["Authorization": "Bearer \(keys.admin)"])
        #expect(summary.status == 200)
        // What little room is left (under 1 MiB) takes a few batches; then ingest refuses.
        var refusal: HTTPConnection.Reply?
        for batch in 0..<20 where refusal == nil {
            let events: [JSONValue] = (0..<1_000).map { EventJSON.event("more-\(batch)-\($0)", time: Timestamp.format(WallClock.system())) }
            let reply = try connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(keys.router)", "Content-Type": "application/json"],
                                            body: JSONValue.array(events).serialized())
            if reply.status != 200 { refusal = reply }
        }
        #expect(refusal?.status == 503 && refusal?.headers["retry-after"] != nil)
        #expect(server.terminate() == 0)
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
        #expect(server.terminate() == 0, "the server stopped cleanly")
        let restored = try SQLiteDatabase(path: copy)
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
        let store = try SQLiteDatabase(path: database)
        #expect(eventually(within: 20) { (try? store.eventIDs(source: "seed").count) == 200 })
        let from = Timestamp.format((WallClock.system() - 4 * Self.day) / 3_600_000 * 3_600_000)
        let spend = try JSONValue.parse(server.connection().send("GET", "/v1/spend?from=\(from)", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
        #expect(spend[member: "total"]?[member: "requests"]?.integerValue == 500, "the rollups keep the deleted events' spend")
        #expect(server.terminate() == 0)
    }
}
