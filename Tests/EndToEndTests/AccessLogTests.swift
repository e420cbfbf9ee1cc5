import BursarHTTPClient
import BursarTesting
import Foundation
import Testing

/// One line per request on stderr (method, path, status, milliseconds, key name), never the
/// key itself; none with `--quiet`.
@Suite struct AccessLogTests {
    func serveAndRequest(accessLog: Bool) throws -> (log: String, routerKey: String) {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let errorLog = URL(fileURLWithPath: directory + "/stderr.log")
        let server = try ServerProcess(database: database, errorLog: errorLog, accessLog: accessLog)
        let connection = server.connection()
        let bundle = try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)"])
        #expect(bundle.status == 200)
        let etag = try #require(bundle.headers["etag"])
        #expect(try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(keys.router)", "If-None-Match": etag]).status == 304)
        #expect(try connection.send("GET", "/v1/spend?group_by=user", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(server.terminate() == 0)
        return (try String(contentsOf: errorLog, encoding: .utf8), keys.router)
    }

    @Test func everyRequestIsOneLineNamingTheKeyNeverItsSecret() throws {
        let (log, key) = try serveAndRequest(accessLog: true)
        let lines = log.split(separator: "\n").map(String.init)
        func line(_ fragment: String) -> String? { lines.first { $0.contains(fragment) } }
        #expect(line("GET /v1/bundle 200 ")?.hasSuffix(" ms sdk-router") == true, "\(log)")
        #expect(line("GET /v1/bundle 304 ")?.hasSuffix(" ms sdk-router") == true, "the quick 304 path is logged too")
        #expect(line("GET /v1/spend 401 ")?.hasSuffix(" ms -") == true, "the path without its query; no caller")
        #expect(!log.contains(key) && !log.contains("wrong"))
        let ids = lines.filter { $0.contains(" ms ") }.compactMap { $0.firstMatch(of: /request_id=([0-9a-f]+)/).map { String($0.1) } }
        #expect(ids.count == 3 && Set(ids).count == 3, "each line carries its request's own id: \(log)")
    }

    @Test func nothingACallerSendsStartsALogLineOrReachesATerminal() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try RouterSDKTests.keys(database)
        let errorLog = URL(fileURLWithPath: directory + "/stderr.log")
        let server = try ServerProcess(database: database, errorLog: errorLog, accessLog: true)
        // Without a key: a decoded %0A and raw escape and DEL bytes in the path.
        let forged = "GET /x%0A2026-12-07T00:00:00+0000 info bursar.http : GET /v1/keys 200 0.1 ms admin HTTP/1.1\r\nHost: b\r\n\r\n"
        _ = try server.connection().sendRaw(Array(forged.utf8))
        _ = try server.connection().sendRaw(Array("GET /esc\u{1b}[31mred\u{7f} HTTP/1.1\r\nHost: b\r\n\r\n".utf8))
        // A key name with a newline is refused where keys are made, over the API and the CLI.
        let made = try server.connection().send("POST", "/v1/keys", headers: ["Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json"],
                                                body: Array(#"{"name":"ops\nGET /v1/keys 200 0.1 ms admin","role":"viewer"}"#.utf8))
        #expect(made.status == 422 && made.text.contains(#""field":"name""#), "\(made.status) \(made.text)")
        let long = try server.connection().send("POST", "/v1/keys", headers: ["Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json"],
                                                body: Array(#"{"name":"\#(String(repeating: "é", count: 60))","role":"viewer"}"#.utf8))
        #expect(long.status == 422, "a name of 60 characters and 120 bytes is over the 100-byte limit: \(long.text)")
        let (status, output) = try ServerProcess.outcome(["keys", "create", "--db", database, "--role", "viewer", "--name", "a\u{1b}b"])
        #expect(status != 0 && output.contains("control"), "\(output)")
        #expect(server.terminate() == 0)
        let log = try String(contentsOf: errorLog, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.contains { $0.contains("GET /x\\n2026-12-07T00:00:00+0000 info bursar.http : GET /v1/keys 200") }, "\(log)")
        #expect(!lines.contains { $0.hasPrefix("2026-12-07T00:00:00+0000") }, "no line of the caller's making")
        #expect(!log.contains("\u{1b}") && !log.contains("\u{7f}"), "no escape or DEL byte reaches the log")
        #expect(log.contains("GET /esc\\x1b[31mred\\x7f 4"), "\(log)")
    }

    @Test func quietServesWithoutAnAccessLog() throws {
        let (log, _) = try serveAndRequest(accessLog: false)
        #expect(!log.contains("GET /v1/bundle"), "\(log)")
        #expect(log.contains("listening on"), "the server's own log lines remain")
    }
}
