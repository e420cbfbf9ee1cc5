import BursarCore
import BursarPostgres
import BursarServices
import BursarStorage
import BursarTesting
import Foundation
import Testing

/// `bursar copy` moves a SQLite database into PostgreSQL: every table, the signing key, and a
/// verification after; a replica started on the copy serves what the SQLite server served.
@Suite struct CopyCommandTests {
    @Test func theSourceIsOnlyReadAndAnUnmigratedFileIsRefusedUntouched() throws {
        let directory = NSTemporaryDirectory() + "bursar-copy-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A SQLite file that is no Bursar database of this version (as an older Bursar's would be).
        let path = directory + "/old.db"
        let (made, madeOutput) = try ServerProcess.runProgram("/usr/bin/python3", ["-c", "import sqlite3; c = sqlite3.connect('\(path)'); c.execute('PRAGMA journal_mode=WAL'); c.execute('CREATE TABLE t(x)'); c.commit(); c.close()"])
        #expect(made == 0, "\(madeOutput)")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let url = try PostgresCluster.started().createDatabase()
        let (status, output) = try ServerProcess.outcome(["copy", "--from", path, "--to", url])
        #expect(status != 0 && output.contains("not migrated"), "\(output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file is not migrated in place")
        let log = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        #expect(log.isEmpty, "nothing was written to its log")
    }

    @Test func aSQLiteDatabaseIsCopiedWholeAndServedTheSameByAReplica() throws {
        let directory = NSTemporaryDirectory() + "bursar-copy-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bursar.db"
        let app = try TestApp(path: path, now: TestClock.midPeriod)
        let signingKey = BundleSigner.newStoredKey()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + ".signing-key", contents: Data(signingKey.utf8))
        let time = Timestamp.format(TestClock.midPeriod)
        let events = (0..<2_500).map { (index: Int) -> JSONValue in
            // Text COPY must escape (tabs, newlines, backslashes); booleans and reals must keep their values.
            let extra: [(String, JSONValue)] = [("user", .string("u\(index % 17)\t\\\n")), ("latency_ms", .integer(Int64(index % 900))),
                                                ("pii", .bool(index % 2 == 0)), ("complexity", .number(Double(index % 10) / 10))]
            let model = index % 3 == 0 ? "gpt-4o" : "gpt-4o-mini"
            return EventJSON.event("e\(index)", time: time, model: model, input: Int64(100 + index), output: 7, extra: extra)
        }
        #expect(app.postEvents(events).status == 200)
        #expect(app.send("PUT", "/v1/budgets/monthly", key: app.adminKey,
                         body: Array(#"{"period":"month","limit_usd":"50","action":"alert"}"#.utf8)).status == 201)
        #expect(app.send("PUT", "/v1/overrides/legal", key: app.adminKey,
                         body: Array(#"{"match":{"team":"legal"},"effect":"min_tier","tier":"standard"}"#.utf8)).status == 201)
        let before = try app.getJSON("/v1/spend?group_by=model,user&from=\(time.prefix(10))")

        let url = try PostgresCluster.started().createDatabase()
        let output = try ServerProcess.run(["copy", "--from", path, "--to", url])
        #expect(output.contains("row counts and spend totals match"), "\(output)")
        let copy = try PostgresDatabase(url: url)
        #expect(try copy.eventCount() == 2_500)
        #expect(try copy.rollupDiscrepancies() == [])
        #expect(try copy.listKeys().map(\.name) == app.database.listKeys().map(\.name))
        #expect(try copy.budget(id: "monthly") == app.database.budget(id: "monthly"))
        #expect(try copy.override(id: "legal") == app.database.override(id: "legal"))
        #expect(try copy.auditEntries(from: 0, to: .max).count == app.database.auditEntries(from: 0, to: .max).count)
        #expect(try copy.setting("bundle_signing_key", orInsert: "none") == signingKey)

        // The copy refuses to go into a database that holds anything.
        let again = try ServerProcess.outcome(["copy", "--from", path, "--to", url])
        #expect(again.status != 0 && again.output.contains("already holds data"), "\(again.output)")
        var replayed: [String] = []
        try copy.forEachFirstAttempt(from: 0, to: .max) { event, _ in replayed.append("\(event.user)|\(event.pii.map(String.init) ?? "-")|\(event.complexity ?? -1)") }
        var original: [String] = []
        try app.database.forEachFirstAttempt(from: 0, to: .max) { event, _ in original.append("\(event.user)|\(event.pii.map(String.init) ?? "-")|\(event.complexity ?? -1)") }
        #expect(replayed.sorted() == original.sorted(), "every field of every event kept")

        // A replica on the copy answers the same spend, and ingest goes on from there.
        let replica = try ServerProcess(arguments: ["serve", "--database", url, "--listen", "127.0.0.1:0", "--quiet"])
        defer { #expect(replica.terminate() == 0, "the server stopped cleanly") }
        let reply = try replica.connection().send("GET", "/v1/spend?group_by=model,user&from=\(time.prefix(10))",
                                                  headers: ["Authorization": "Bearer \(app.viewerKey)"])
        #expect(reply.status == 200)
        let after = try JSONSupport.object(reply.body)
        #expect((after["total"] as? [String: Any])?["cost_usd"] as? String == (before["total"] as? [String: Any])?["cost_usd"] as? String)
        #expect((after["rows"] as? [Any])?.count == (before["rows"] as? [Any])?.count)
        // Ids continue after the copied ones: new events, keys and audit entries are stored.
        let more = JSONValue.array([EventJSON.event("after-copy", time: Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000)))]).serialized()
        let ingest = try replica.connection().send("POST", "/v1/events", headers: ["Authorization": "Bearer \(app.routerKey)",
                                                                                   "Content-Type": "application/json"], body: more)
        #expect(ingest.status == 200, "\(ingest.text.prefix(200))")
        _ = try copy.createKey(name: "after-copy", role: .viewer)
        #expect(try copy.eventCount() == 2_501)
    }
}
