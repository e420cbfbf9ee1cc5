import BursarClient
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The database's file system fills up: ingest answers 503 with Retry-After, recovers by itself
/// once space returns, and loses nothing it acknowledged. Needs root to mount a small tmpfs.
@Suite(.serialized) struct FullDiskTests {
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
        #expect(Self.mount(directory, megabytes: 16))
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
        // Space returns: ingest goes on without a restart.
        try FileManager.default.removeItem(atPath: filler)
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try ship() == 200
            if !recovered { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(recovered, "ingest recovered by itself: \(statuses)")
        for _ in 0..<5 { #expect(try ship() == 200) }
        #expect(server.terminate() == 0)

        let store = try BursarDatabase(path: database)
        let stored = try store.eventIDs(source: "sdk-router")
        #expect(stored.count == Set(stored).count)
        #expect(acknowledged.isSubset(of: Set(stored)), "\(acknowledged.subtracting(stored).count) acknowledged events lost")
        #expect(try store.rollupDiscrepancies() == [])
        print("full disk: \(statuses), \(acknowledged.count) acknowledged events all present")
    }
}
