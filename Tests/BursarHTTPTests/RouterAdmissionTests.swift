import HTTPToolkit
import Locking
import Logging
import Testing

/// A caller that cannot be checked (its key lookup failed: the database is down) is answered
/// 503 with an id, and the cause is logged under that id, never sent; a handler's unknown
/// error likewise, as a 500. The id is the request's own, as the access log has it.
@Suite struct RouterAdmissionTests {
    struct LookupFailure: Error, CustomStringConvertible {
        var description: String { "connection to server at 10.0.0.7 failed: password authentication failed for user bursar" }
    }

    struct FailingGatekeeper: Gatekeeper {
        func identify(authorization: String?, allowing permissions: Set<String>) throws -> String { throw LookupFailure() }
        func name(of identity: String) -> String { identity }
    }

    /// Keeps every message logged, with its metadata.
    struct Recorder: LogHandler {
        let lines: Locked<[(message: String, metadata: Logger.Metadata)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lines.withLock { $0.append(("\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })) }
        }
    }

    @Test func anUnknownErrorWhileAdmittingIsLoggedWithTheIdTheCallerIsGiven() throws {
        let lines = Locked<[(message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in Recorder(lines: lines) }
        var router = Router(gatekeeper: FailingGatekeeper(), logger: logger)
        router.add("GET", "/v1/thing", permissions: ["reader"]) { _, _ in .response(Response(status: 200)) }
        let refusal = try #require(router.admit(id: "r-1", method: "GET", path: "/v1/thing", header: { $0 == "authorization" ? "Bearer k" : nil }))
        #expect(refusal.status == 503)
        let id = try #require(refusal.headers.first { $0.0 == "X-Request-Id" }?.1)
        #expect(id == "r-1", "the id the server gave the request (its access-log line has it)")
        let body = String(decoding: refusal.body, as: UTF8.self)
        #expect(body.contains(id) && !body.contains("10.0.0.7"), "\(body)")
        let logged = lines.withLock { $0 }
        #expect(logged.count == 1)
        #expect(logged.first?.metadata["request_id"] == "\(id)")
        #expect(logged.first?.metadata["error"].map { "\($0)".contains("10.0.0.7") } == true)
    }

    @Test func aHandlersUnknownErrorIsLoggedAndAnsweredWithTheRequestsOwnId() throws {
        let lines = Locked<[(message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in Recorder(lines: lines) }
        var router = Router(gatekeeper: NoCheck(), logger: logger)
        router.add("GET", "/v1/boom", permissions: []) { _, _ in throw LookupFailure() }
        guard case .response(let response) = router.respond(to: Request(method: "GET", path: "/v1/boom", id: "r-2")) else {
            Issue.record("answered later")
            return
        }
        #expect(response.status == 500)
        #expect(response.headers.first { $0.0 == "X-Request-Id" }?.1 == "r-2")
        #expect(lines.withLock { $0 }.first?.metadata["request_id"] == "r-2")
    }

    struct NoCheck: Gatekeeper {
        func identify(authorization: String?, allowing permissions: Set<String>) throws -> String { "anyone" }
        func name(of identity: String) -> String { identity }
    }
}
