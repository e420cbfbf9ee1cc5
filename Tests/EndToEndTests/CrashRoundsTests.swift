import Locking
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Synchronization
import Testing

/// Rounds of SIGKILL while events are ingested, budgets edited and bundles long-polled; after
/// each, the database must hold every acknowledged event once, rollups equal to a
/// recomputation from the raw events, every acknowledged budget change with its audit entry,
/// and a bundle that matches the stored budgets. `make test` runs 2 rounds; `make crash` 20
/// (`BURSAR_CRASH_ROUNDS`).
@Suite(.serialized) struct CrashRoundsTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["BURSAR_CRASH_ROUNDS"] ?? "") ?? 2 }

    @Test func everyRoundKeepsWhatWasAcknowledged() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let acknowledgedEvents = Locked<Set<String>>([])
        /// Budget id → every limit sent, and the limits acknowledged.
        let sentLimits = Locked<[String: [String]]>([:])
        let acknowledgedLimits = Locked<[String: [String]]>([:])
        var verifiedEvents = 0
        for round in 0..<Self.rounds {
            let server = try ServerProcess(database: database)
            let port = server.port
            let stop = Atomic<Bool>(false)
            var threads: [Thread] = []
            for client in 0..<3 {
                threads.append(Thread {
                    let connection = HTTPConnection(host: "127.0.0.1", port: port)
                    var batch = 0
                    while !stop.load(ordering: .relaxed) {
                        batch += 1
                        let ids = (0..<40).map { "r\(round)-c\(client)-b\(batch)-e\($0)" }
                        let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 1000)
                        let body = JSONValue.array(ids.map { EventJSON.event($0, time: time, extra: [("user", .string("u\(client)")), ("feature", "crash")]) }).serialized()
                        guard let reply = try? connection.send("POST", "/v1/events", headers: [
                            "Authorization": "Bearer \(keys.router)", "Content-Type": "application/json"], body: body) else { return }
                        if reply.status == 200 { acknowledgedEvents.withLock { $0.formUnion(ids) } }
                    }
                })
            }
            threads.append(Thread {
                let connection = HTTPConnection(host: "127.0.0.1", port: port)
                var edit = 0
                while !stop.load(ordering: .relaxed) {
                    edit += 1
                    let id = "b\(edit % 3)"
                    let limit = "\(round * 1000 + edit).00"
                    sentLimits.withLock { $0[id, default: []].append(limit) }
                    let body = #"{"scope":{"feature":"crash"},"period":"day","limit_usd":"\#(limit)","action":"downgrade","downgrade_to":"fast"}"#
                    guard let reply = try? connection.send("PUT", "/v1/budgets/\(id)", headers: [
                        "Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json"], body: Array(body.utf8)) else { return }
                    if reply.status == 200 || reply.status == 201 { acknowledgedLimits.withLock { $0[id, default: []].append(limit) } }
                }
            })
            for _ in 0..<4 {
                threads.append(Thread {
                    let connection = HTTPConnection(host: "127.0.0.1", port: port)
                    var etag = "\"none\""
                    while !stop.load(ordering: .relaxed) {
                        guard let reply = try? connection.send("GET", "/v1/bundle", headers: [
                            "Authorization": "Bearer \(keys.router)", "If-None-Match": etag, "Prefer": "wait=5"]) else { return }
                        etag = reply.headers["etag"] ?? etag
                    }
                })
            }
            threads.forEach { $0.start() }
            Thread.sleep(forTimeInterval: Double.random(in: 0.6...1.4))
            server.kill()
            stop.store(true, ordering: .relaxed)
            Thread.sleep(forTimeInterval: 0.3)

            // Verify the database as the crash left it.
            let store = try SQLiteDatabase(path: database)
            let stored = try store.eventIDs(source: "sdk-router")
            let storedSet = Set(stored)
            let acknowledged = acknowledgedEvents.withLock { $0 }
            #expect(stored.count == storedSet.count, "round \(round): an event stored twice")
            #expect(acknowledged.isSubset(of: storedSet), "round \(round): \(acknowledged.subtracting(storedSet).count) acknowledged events lost")
            #expect(try store.rollupDiscrepancies() == [], "round \(round)")
            verifiedEvents = acknowledged.count
            let audit = try store.auditEntries(from: 0, to: Int64.max, target: nil, limit: 100_000)
            for (id, limits) in acknowledgedLimits.withLock({ $0 }) {
                let budget = try #require(try store.budget(id: id), "round \(round): budget \(id) lost")
                let limit = budget.limit.decimalString
                let sent = sentLimits.withLock { $0[id] ?? [] }.map { Money(decimal: $0)!.decimalString }
                // The stored limit is the last acknowledged one, or one sent after it (in flight at the kill).
                let lastAcknowledged = Money(decimal: limits.last!)!.decimalString
                let allowed = sent.drop { $0 != lastAcknowledged }
                #expect(allowed.contains(limit), "round \(round): budget \(id) has \(limit), last acknowledged \(lastAcknowledged)")
                let changes = audit.filter { $0.target == "budgets/\(id)" }.count
                #expect(changes >= limits.count, "round \(round): \(limits.count) acknowledged changes of \(id), \(changes) audited")
            }
        }

        // After the last round: the restarted server's bundle matches the stored budgets.
        let server = try ServerProcess(database: database)
        let bundle = try JSONValue.parse(server.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"]).body)
        let listed = try JSONValue.parse(server.connection().send("GET", "/v1/budgets", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
        let bundleIDs = Set((bundle[member: "budgets"]?.arrayValue ?? []).compactMap { $0[member: "id"]?.stringValue })
        let storedIDs = Set((listed[member: "budgets"]?.arrayValue ?? []).compactMap { $0[member: "id"]?.stringValue })
        #expect(bundleIDs == storedIDs && !storedIDs.isEmpty)
        #expect(server.terminate() == 0)
        #expect(verifiedEvents > 0)
        print("crash rounds survived: \(Self.rounds); acknowledged events verified: \(verifiedEvents)")
    }
}
