import BursarCore
import BursarHTTPClient
import BursarPostgres
import BursarTesting
import Foundation
import Testing

/// PostgreSQL restarted under a replica in the middle of ingest: meanwhile every request is
/// answered (503 with Retry-After, never a 500 or a dropped connection), the replica recovers
/// by itself once the database is back, and nothing acknowledged is lost or counted twice.
@Suite struct DatabaseRestartTests {
    @Test func aReplicaAnswers503WhileTheDatabaseRestartsAndLosesNothingAcknowledged() throws {
        let cluster = try PostgresCluster.dedicated()
        defer { cluster.remove() }
        let url = try cluster.createDatabase()
        let admin = try ServerProcess.run(["keys", "create", "--database", url, "--role", "admin", "--name", "ops"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let replica = try ServerProcess(arguments: ["serve", "--database", url, "--listen", "127.0.0.1:0", "--quiet"])
        defer { #expect(replica.terminate() == 0, "the server stopped cleanly") }
        let headers = ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"]
        let connection = replica.connection()
        var statuses: [Int: Int] = [:]
        var retryAfterOn503 = true
        var acknowledged = 0
        var round = 0
        let stopped = Date().addingTimeInterval(1)
        var restarted = false
        var outage: ClosedRange<Date>?
        var readinessDuringOutage: [Int] = []
        var readinessTellsNoError = true
        while !restarted || acknowledged < 40 {
            if !restarted, Date() > stopped {
                // A read just before, so that the key is cached and the reads below reach the handlers.
                #expect(try connection.send("GET", "/v1/spend/summary", headers: headers).status == 200)
                cluster.stop(immediately: true)
                let down = Date()
                // Reads and writes while the database is down.
                for _ in 0..<5 {
                    let ready = try connection.send("GET", "/readyz")
                    readinessDuringOutage.append(ready.status)
                    if ready.text.contains("PostgreSQL") || ready.text.contains("socket") { readinessTellsNoError = false }
                    let read = try connection.send("GET", "/v1/spend/summary", headers: headers)
                    statuses[read.status, default: 0] += 1
                    if read.status == 503, read.headers["retry-after"] == nil { retryAfterOn503 = false }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                try cluster.start()
                outage = down...Date()
                restarted = true
            }
            let now = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000))
            let batch = JSONValue.array((0..<25).map { EventJSON.event("b\(round)-\($0)", time: now) }).serialized()
            let reply = try connection.send("POST", "/v1/events", headers: headers, body: batch)
            statuses[reply.status, default: 0] += 1
            if reply.status == 200 {
                acknowledged += 1
                round += 1
            } else {
                if reply.status == 503, reply.headers["retry-after"] == nil { retryAfterOn503 = false }
                Thread.sleep(forTimeInterval: 0.2)  // the same batch again, as a router does
            }
            #expect(Date() < stopped.addingTimeInterval(60), "the replica recovers by itself")
            if Date() > stopped.addingTimeInterval(60) { break }
        }
        #expect(outage != nil)
        #expect(statuses[503, default: 0] > 0, "the outage was answered with 503: \(statuses)")
        #expect(Set(statuses.keys).isSubset(of: [200, 503]), "only 200 and 503: \(statuses)")
        #expect(retryAfterOn503, "every 503 says when to retry")
        #expect(readinessDuringOutage.count == 5 && readinessDuringOutage.allSatisfy { $0 == 503 }, "not ready while the database is down: \(readinessDuringOutage)")
        #expect(readinessTellsNoError, "the unauthenticated /readyz carries no raw error text")
        #expect(try eventually { try connection.send("GET", "/readyz").status == 200 }, "ready again once it is back")
        let database = try PostgresDatabase(url: url)
        #expect(try database.eventCount() == acknowledged * 25)
        #expect(try database.rollupDiscrepancies() == [])
        let summary = try connection.send("GET", "/v1/spend/summary", headers: headers)
        #expect(summary.status == 200)
        #expect(try JSONSupport.object(summary.body)["requests"] as? Int == acknowledged * 25)
    }
}
