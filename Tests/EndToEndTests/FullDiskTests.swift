import BursarClient
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import HTTPToolkit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The database runs out of room: ingest answers 503 with Retry-After, `/readyz` says so first,
/// ingest recovers by itself once there is room again, and nothing acknowledged is lost. Under a
/// size cap on every machine; on a real full file system (a small tmpfs) where the test may mount one.
@Suite(.serialized) struct FullDiskTests {
    @Test func aDatabaseAtItsCapGets503AndRecoversWhenRetentionMakesRoom() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = try TestApp(path: directory + "/bursar.db", maximumBytes: 4 << 20, now: TestClock.midPeriod)
        var acknowledged = 0
        var batch = 0
        func ship() -> Response {
            batch += 1
            let time = Timestamp.format(app.clock.now())
            let requestID = JSONValue.string(String(repeating: "r", count: 200))
            let events: [JSONValue] = (0..<200).map { EventJSON.event("cap-\(batch)-\($0)", time: time, extra: [("request_id", requestID)]) }
            let response = app.postEvents(events)
            if response.status == 200 { acknowledged += events.count }
            return response
        }
        func ready() -> Int { app.send("GET", "/readyz", key: nil).status }
        func requests() throws -> Int? {
            let summary = app.send("GET", "/v1/spend/summary?from=2026-11-01&to=2026-12-01", key: app.viewerKey)
            return try JSONValue.parse(summary.body)[member: "requests"]?.integerValue.map { Int($0) }
        }

        #expect(ready() == 200)
        var readyAtFirstRefusal: Int?
        var refusal: Response?
        for _ in 0..<400 where refusal == nil {
            let readiness = ready()
            let response = ship()
            if response.status != 200 {
                refusal = response
                readyAtFirstRefusal = readiness
            }
        }
        let refused = try #require(refusal, "the cap was never reached")
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try JSONValue.parse(refused.body)[member: "error"]?[member: "message"]?.stringValue?.contains("send it again") == true)
        #expect(readyAtFirstRefusal == 503, "readiness failed before the first batch was refused")
        let readiness = try JSONValue.parse(app.send("GET", "/readyz", key: nil).body)
        let readinessMessage = readiness[member: "error"]?[member: "message"]?.stringValue ?? ""
        #expect(readinessMessage.contains("full") && !readinessMessage.contains("MiB"), "unauthenticated: no sizes, \(readiness)")
        #expect(app.send("GET", "/healthz", key: nil).status == 200, "the server stays up")
        #expect(try requests() == acknowledged, "every acknowledged event counted once, none of a refused batch")
        let room = try app.database.room()
        #expect(try #require(room.underCapBytes) < StorageRoom.minimumBytes)

        // Two days on, retention deletes the raw events; their pages make room under the cap.
        app.clock.advance(seconds: 2 * 86_400)
        let retention = RawEventRetention(database: app.database, retainDays: 1, clock: app.clock.clock, logger: .forTests)
        #expect(try retention.runOnce() == acknowledged)
        #expect(ready() == 200)
        #expect(ship().status == 200, "ingest recovered without a restart")
        #expect(try requests() == acknowledged, "the rollups kept the deleted events' spend")
    }

    static func mount(_ directory: String, megabytes: Int) -> Bool {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard let outcome = try? SecurityTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory]) else { return false }
        return outcome.0 == 0
    }

    static var canMount: Bool {
        let probe = NSTemporaryDirectory() + "bursar-mount-probe-\(UUID().uuidString)"
        guard mount(probe, megabytes: 1) else { return false }
        _ = try? SecurityTests.run("/bin/umount", [probe])
        return true
    }

    @Test(.enabled(if: canMount, "mounting a tmpfs needs root"))
    func aFullDiskGets503AndIngestRecoversWhenSpaceReturns() throws {
        let directory = NSTemporaryDirectory() + "bursar-full-\(UUID().uuidString)"
        // Never go on without the mount: the filler would fill the machine's own temp space.
        try #require(Self.mount(directory, megabytes: 16))
        defer { _ = try? SecurityTests.run("/bin/umount", ["-l", directory]) }
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database)
        let connection = server.connection()
        let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 1000)
        var acknowledged = Set<String>()
        var statuses: [Int: Int] = [:]
        var retryAfter: String?
        var batch = 0
        func ship() throws -> Int {
            batch += 1
            let ids = (0..<200).map { "full-\(batch)-\($0)" }
            let body = JSONValue.array(ids.map { EventJSON.event($0, time: time, extra: [("request_id", .string(String(repeating: "r", count: 200)))]) }).serialized()
            let reply = try connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(keys.router)", "Content-Type": "application/json"], body: body)
            statuses[reply.status, default: 0] += 1
            if reply.status == 200 { acknowledged.formUnion(ids) }
            if reply.status == 503 { retryAfter = reply.headers["retry-after"] }
            return reply.status
        }
        #expect(try ship() == 200)
        // Fill what is left of the file system.
        let filler = directory + "/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let block = Data(count: 256 * 1024)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        var refused = 0
        for _ in 0..<40 where refused < 3 {
            if try ship() == 503 { refused += 1 }
        }
        #expect(refused >= 3, "ingest refuses while the disk is full: \(statuses)")
        #expect(retryAfter != nil)
        #expect(try connection.send("GET", "/healthz").status == 200, "the server stays up")
        #expect(try connection.send("GET", "/readyz").status == 503, "not ready while the disk is full")
        // Space returns: ingest goes on without a restart.
        try FileManager.default.removeItem(atPath: filler)
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try ship() == 200
            if !recovered { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(recovered, "ingest recovered by itself: \(statuses)")
        #expect(try connection.send("GET", "/readyz").status == 200)
        for _ in 0..<5 { #expect(try ship() == 200) }
        #expect(server.terminate() == 0)

        let store = try SQLiteDatabase(path: database)
        let stored = try store.eventIDs(source: "sdk-router")
        #expect(stored.count == Set(stored).count)
        #expect(acknowledged.isSubset(of: Set(stored)), "\(acknowledged.subtracting(stored).count) acknowledged events lost")
        #expect(try store.rollupDiscrepancies() == [])
        print("full disk: \(statuses), \(acknowledged.count) acknowledged events all present")
    }
}
