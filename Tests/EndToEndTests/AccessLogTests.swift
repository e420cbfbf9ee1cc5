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
    }

    @Test func quietServesWithoutAnAccessLog() throws {
        let (log, _) = try serveAndRequest(accessLog: false)
        #expect(!log.contains("GET /v1/bundle"), "\(log)")
        #expect(log.contains("listening on"), "the server's own log lines remain")
    }
}
