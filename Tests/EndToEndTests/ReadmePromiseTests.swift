import BursarCore
import BursarHTTPClient
import BursarOTLP
import BursarSQLite
import BursarTesting
import Foundation
import HTTPToolkit
import Locking
import Testing

/// README sentences that no other test would notice breaking.
@Suite struct ReadmePromiseTests {
    /// "Where things live" names every target (each folder of `Sources/`), linked.
    @Test func whereThingsLiveNamesEveryTarget() throws {
        let root = ServerProcess.packageRoot
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let targets = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path).filter { !$0.hasPrefix(".") }
        #expect(targets.count >= 18)
        for target in targets {
            #expect(readme.contains("[`\(target)`](Sources/\(target))"), "README's table leaves out \(target)")
        }
    }

    /// Every link of the project's documents to a file of the project leads to one.
    @Test func everyLinkToAFileOfTheProjectResolves() throws {
        let root = ServerProcess.packageRoot
        var checked = 0
        for document in ["README.md", "BENCHMARKS.md", "conformance/README.md", "clients/python/README.md"] {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            let folder = root.appendingPathComponent(document).deletingLastPathComponent()
            for match in text.matches(of: /\]\(([^)\s]+)\)/) {
                let target = String(match.1)
                guard !target.contains("://"), !target.hasPrefix("#"), !target.hasPrefix("mailto:") else { continue }
                let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path), "\(document) links to \(target)")
                checked += 1
            }
        }
        #expect(checked > 40, "links found: \(checked)")
    }

    @Test func serveCommitsWithSynchronousFullUnlessToldOtherwise() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let server = try ServerProcess(database: directory + "/bursar.db")
        #expect(server.startLine.contains("synchronous=FULL"), "\(server.startLine)")
        #expect(server.startLine.contains("(database SQLite \(directory)/bursar.db, "), "the database in use: \(server.startLine)")
        #expect(server.terminate() == 0)
        #expect(server.startLine.hasSuffix("; raw events kept 90 days)"), "the default retention: \(server.startLine)")
        let normal = try ServerProcess(database: directory + "/bursar.db", extraArguments: ["--durability", "normal"])
        #expect(normal.startLine.contains("synchronous=NORMAL"), "\(normal.startLine)")
        #expect(normal.terminate() == 0)
    }

    /// `--retain-raw-days 0` keeps raw events for ever: the server says so when it starts
    /// (the signal a later pass cannot give), a 400-day-old event is still found, and a
    /// simulation reaches back to it.
    @Test func retainRawDaysZeroKeepsRawEventsForEver() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        try LifecycleCommandTests.seed(database, prefix: "ancient", count: 3, daysAgo: 400)
        let server = try ServerProcess(database: database, extraArguments: ["--retain-raw-days", "0"])
        #expect(server.startLine.hasSuffix("; raw events kept for ever)"), "\(server.startLine)")
        let admin = ["Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json"]
        let from = Timestamp.format((WallClock.system() - 401 * LifecycleCommandTests.day) / 3_600_000 * 3_600_000)
        let found = try JSONValue.parse(server.connection().send("GET", "/v1/events?from=\(from)&limit=10", headers: admin).body)
        #expect(found[member: "events"]?.arrayValue?.count == 3, "the old events are kept")
        let to = Timestamp.format((WallClock.system() + 3_600_000) / 3_600_000 * 3_600_000)
        let policy = Array(try String(contentsOfFile: ServerProcess.packageRoot.path + "/policies/default.yaml", encoding: .utf8).utf8)
        let created = try server.connection().send("POST", "/v1/policies?activate=true", headers: admin.merging(["Content-Type": "application/yaml"]) { $1 },
                                                   body: policy)
        #expect(created.status == 201 || created.status == 200, "\(created.text.prefix(300))")
        let revision = try #require(try JSONValue.parse(created.body)[member: "revision"]?.stringValue)
        let simulated = try server.connection().send("POST", "/v1/policies/simulate?from=\(from)&to=\(to)&revision=\(revision)", headers: admin)
        #expect(simulated.status == 200, "\(simulated.text.prefix(300))")
        let answer = try JSONValue.parse(simulated.body)
        #expect(answer[member: "raw_events_kept_from"] == .null, "\(simulated.text.prefix(300))")
        #expect(answer[member: "from"]?.stringValue == from, "the replay starts where asked")
        #expect(server.terminate() == 0)
    }

    /// The same content issued again (fresher) ends a held long poll, so a router that reaches
    /// Bursar gets each new issue at once, not when its wait runs out.
    @Test func theSameContentIssuedAgainEndsAHeldLongPoll() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database, extraArguments: ["--bundle-max-age", "8"])
        let router = ["Authorization": "Bearer \(keys.router)"]
        let first = try server.connection().send("GET", "/v1/bundle", headers: router)
        let etag = try #require(first.headers["etag"])
        let poll = server.connection()
        poll.timeoutSeconds = 20  // a wait of 60 s: only the new issue answers in time
        let answer = try poll.send("GET", "/v1/bundle", headers: router.merging(["If-None-Match": etag, "Prefer": "wait=60"]) { $1 })
        #expect(answer.status == 200, "answered by the new issue")
        let (before, after) = (try JSONValue.parse(first.body), try JSONValue.parse(answer.body))
        #expect(after[member: "revision"] == before[member: "revision"] && after[member: "serial"] == before[member: "serial"], "the same content and serial")
        #expect(after[member: "issued_at"] != before[member: "issued_at"] && answer.headers["etag"] != etag, "issued again")
        #expect(server.terminate() == 0)
    }

    /// A key revoked from the command line (so the server is not told) is refused within the
    /// second its cache keeps a key: asked 1.2 s after the revocation returned, never later.
    @Test func aKeyRevokedElsewhereIsRefusedWithinASecond() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database)
        func status() throws -> Int {
            try server.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"]).status
        }
        #expect(try status() == 200, "the key works, and is now cached")
        try SQLiteDatabase(path: database).revokeKey(name: "sdk-router")  // in this process: it takes milliseconds
        let revoked = ContinuousClock.now
        Thread.sleep(forTimeInterval: ((revoked + .milliseconds(1_200)) - ContinuousClock.now) / .seconds(1))
        #expect(try status() == 401, "refused 1.2 s after it was revoked")
        #expect(server.terminate() == 0)
    }

    /// A budget crossed by a batch that comes right after another commit (the case a debounce
    /// delays) reaches a held long poll within a second: the fastest of three trials, so one
    /// slow moment of a loaded machine does not fail it, while a debounce of a second or more
    /// fails every trial.
    @Test func aBudgetCrossingReachesALongPollWithinASecond() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database)
        let router = ["Authorization": "Bearer \(keys.router)", "Content-Type": "application/json"]
        let admin = ["Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json"]
        func batch(_ id: String, feature: String) -> [UInt8] {
            let now = Timestamp.format(WallClock.system())
            return Array(#"[{"id":"\#(id)","time":"\#(now)","model":"gpt-4o","provider":"openai","tier":"frontier","input_tokens":100000,"output_tokens":1000,"feature":"\#(feature)"}]"#.utf8)
        }
        var fastest = Duration.seconds(60)
        for trial in 0..<3 {
            let created = try server.connection().send("PUT", "/v1/budgets/b\(trial)", headers: admin, body: Array(
                #"{"scope":{"feature":"f\#(trial)"},"period":"day","limit_usd":"0.0001","action":"block"}"#.utf8))
            #expect(created.status == 201, "\(created.text.prefix(200))")
            var etag = try #require(try server.connection().send("GET", "/v1/bundle", headers: router).headers["etag"])
            #expect(try server.connection().send("POST", "/v1/events", headers: router, body: batch("other-\(trial)", feature: "other")).status == 200)
            #expect(try server.connection().send("POST", "/v1/events", headers: router, body: batch("cross-\(trial)", feature: "f\(trial)")).status == 200)
            let acknowledged = ContinuousClock.now
            var crossed = false
            while !crossed, ContinuousClock.now - acknowledged < .seconds(10) {
                let poll = try server.connection().send("GET", "/v1/bundle", headers: router.merging(["If-None-Match": etag, "Prefer": "wait=10"]) { $1 })
                if poll.status == 200 {
                    etag = poll.headers["etag"] ?? etag
                    let budgets = try JSONValue.parse(poll.body)[member: "budgets"]?.arrayValue ?? []
                    crossed = budgets.contains { $0[member: "id"]?.stringValue == "b\(trial)" && $0[member: "state"]?.stringValue == "exceeded" }
                }
            }
            #expect(crossed, "trial \(trial): the crossing reached the long poll")
            fastest = min(fastest, ContinuousClock.now - acknowledged)
        }
        print("a budget crossing reached a held long poll in \(fastest) (fastest of three)")
        #expect(fastest < .seconds(1), "a crossing reaches routers within a second: \(fastest)")
        #expect(server.terminate() == 0)
    }

    @Test func theSigningKeyIsKeptAcrossRestartsReadableByItsOwnerOnly() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        func keyIDs(_ server: ServerProcess) throws -> String {
            try server.connection().send("GET", "/v1/bundle/keys", headers: ["Authorization": "Bearer \(keys.router)"]).text
        }
        let first = try ServerProcess(database: database)
        let published = try keyIDs(first)
        #expect(first.terminate() == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: database + ".signing-key")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600, "mode \(String(mode?.intValue ?? -1, radix: 8))")
        let second = try ServerProcess(database: database)
        #expect(try keyIDs(second) == published, "the same key after a restart")
        #expect(second.terminate() == 0)
    }

    @Test func heldLongPollsAreAnsweredOnSIGTERM() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let server = try ServerProcess(database: database)
        let etag = try #require(try server.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"]).headers["etag"])
        let answered = DispatchSemaphore(value: 0)
        let status = Locked(0)
        let port = server.port
        Thread.detachNewThread {
            let connection = HTTPConnection(host: "127.0.0.1", port: port)
            connection.timeoutSeconds = 30  // half the wait: only an answer to SIGTERM arrives in time
            let reply = try? connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)", "If-None-Match": etag,
                                                                              "Prefer": "wait=60"])
            status.withLock { $0 = reply?.status ?? -1 }
            answered.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(server.process.processIdentifier, SIGTERM)
        #expect(answered.wait(timeout: .now() + 40) == .success)
        #expect(status.withLock { $0 } == 304, "the held poll is answered, not cut")
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func aGzipBodyInflatingPast64MiBIsRefused() throws {
        let app = try TestApp()
        let body = try DecodedSizeTests.gzip([UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024 * 1024 + 1))
        let request = app.api.respond(to: Request(method: "POST", path: "/v1/events", headers: [
            "Authorization": "Bearer \(app.routerKey)", "Content-Type": "application/json", "Content-Encoding": "gzip"], body: body)).wait()
        #expect(request.status == 413 && request.bodyText.contains("inflates to more than 64 MiB"), "\(request.bodyText)")
    }

    @Test func liteLLMAndOTLPFailuresAreStoredAsTheirStatuses() throws {
        let app = try TestApp()
        let now = Date().timeIntervalSince1970 - 30
        func payload(_ id: String, _ code: String) -> String {
            #"{"id":"\#(id)","trace_id":"\#(id)","status":"failure","error_information":{"error_code":"\#(code)"},"custom_llm_provider":"openai","model":"gpt-4o-mini","startTime":\#(now),"endTime":\#(now + 1),"prompt_tokens":0,"completion_tokens":0}"#
        }
        let body = "[" + [payload("l-429", "429"), payload("l-408", "408"), payload("l-500", "500")].joined(separator: ",") + "]"
        #expect(app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(body.utf8)).status == 200)
        for (id, status) in [("l-429", "rate_limited"), ("l-408", "timeout"), ("l-500", "error")] {
            let found = try app.getJSON("/v1/events?request_id=\(id)")
            let stored = (found["events"] as? [[String: Any]])?.first?["status"] as? String
            #expect(stored == status, "\(id): \(found)")
        }
        let start = UInt64(now * 1e9)
        func span(_ id: String, _ errorType: String) -> String {
            #"{"traceId":"\#(id)","spanId":"0102030405060708","name":"chat","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(start + 1_000_000_000)","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}},{"key":"error.type","value":{"stringValue":"\#(errorType)"}}]}"#
        }
        let traces = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + span("0102030405060708090a0b0c0d0e0f10", "timeout") + ","
            + span("0102030405060708090a0b0c0d0e0f11", "overloaded") + "]}]}]}"
        #expect(app.send("POST", "/v1/traces", key: app.routerKey, body: Array(traces.utf8)).status == 200)
        for (id, status) in [("0102030405060708090a0b0c0d0e0f10", "timeout"), ("0102030405060708090a0b0c0d0e0f11", "error")] {
            let found = try app.getJSON("/v1/events?request_id=\(id)")
            #expect((found["events"] as? [[String: Any]])?.first?["status"] as? String == status, "\(id): \(found)")
        }
    }
}
