import Locking
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

/// SIGKILL the real server during concurrent ingest: nothing acknowledged may be lost or doubled.
@Suite(.serialized) struct CrashSafetyTests {
    /// A new database in a temporary folder with one router key made by `bursar keys create`.
    static func freshDatabase(router: String) throws -> (folder: URL, database: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bursar-\(router)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = folder.appendingPathComponent("bursar.db").path
        let key = try ServerProcess.run(["keys", "create", "--role", "router", "--name", router, "--db", database])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (folder, database, key)
    }

    @Test func acknowledgedEventsSurviveSIGKILLExactlyOnce() throws {
        let (folder, database, key) = try Self.freshDatabase(router: "crash-router")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(key.hasPrefix("bsr_"))

        let server = try ServerProcess(database: database)
        let acknowledged = Locked<[[UInt8]]>([])
        let acknowledgedIDs = Locked<Set<String>>([])
        let clients = 4
        let port = server.port
        let threads = (0..<clients).map { client in
            Thread {
                let connection = HTTPConnection(host: "127.0.0.1", port: port)
                var batchNumber = 0
                while true {
                    batchNumber += 1
                    let ids = (0..<50).map { "c\(client)-b\(batchNumber)-e\($0)" }
                    let body = JSONValue.array(ids.map { EventJSON.event($0, extra: [("user", .string("u\(client)")), ("latency_ms", 120)]) }).serialized()
                    guard let reply = try? connection.send("POST", "/v1/events", headers: [
                        "Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body) else { return }
                    if reply.status == 200 {
                        acknowledged.withLock { $0.append(body) }
                        acknowledgedIDs.withLock { $0.formUnion(ids) }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 1.5)
        server.kill()
        Thread.sleep(forTimeInterval: 0.5)

        let ids = acknowledgedIDs.withLock { $0 }
        #expect(ids.count > 0, "some batches were acknowledged before the kill")

        let restarted = try ServerProcess(database: database)
        let connection = restarted.connection()
        if let body = acknowledged.withLock({ $0.first }) {
            let reply = try connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body)
            #expect(try JSONSupport.object(reply.body)["duplicates"] as? Int == 50)
        }
        #expect(restarted.terminate() == 0, "SIGTERM drains and exits 0")

        let store = try SQLiteDatabase(path: database)
        let stored = try store.eventIDs(source: "crash-router")
        #expect(stored.count == Set(stored).count, "no event is stored twice")
        #expect(ids.isSubset(of: Set(stored)), "every acknowledged event is present")
        #expect(try store.rollupDiscrepancies() == [])
    }

    @Test func sigtermDrainsInFlightBatchesAndExitsZero() throws {
        let (folder, database, key) = try Self.freshDatabase(router: "drain-router")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServerProcess(database: database)
        let port = server.port
        let acknowledgedIDs = Locked<Set<String>>([])
        let finished = DispatchGroup()
        for client in 0..<4 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                let connection = HTTPConnection(host: "127.0.0.1", port: port)
                for batchNumber in 0..<10_000 {
                    let ids = (0..<100).map { "d\(client)-b\(batchNumber)-e\($0)" }
                    let body = JSONValue.array(ids.map { EventJSON.event($0) }).serialized()
                    guard let reply = try? connection.send("POST", "/v1/events", headers: [
                        "Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body) else { return }
                    if reply.status == 200 { acknowledgedIDs.withLock { $0.formUnion(ids) } }
                    if reply.headers["connection"] == "close" { return }
                }
            }
        }
        Thread.sleep(forTimeInterval: 1.0)
        #expect(server.terminate() == 0, "SIGTERM under load exits 0")
        finished.wait()
        let ids = acknowledgedIDs.withLock { $0 }
        #expect(ids.count > 0)
        let store = try SQLiteDatabase(path: database)
        let stored = Set(try store.eventIDs(source: "drain-router"))
        #expect(ids.isSubset(of: stored), "every batch answered 200 before the stop is stored")
        #expect(try store.rollupDiscrepancies() == [])
    }
}
