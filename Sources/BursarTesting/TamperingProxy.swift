import Locking
import BursarClient
import BursarHTTPClient
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import Foundation
import MicroHTTPDServer
import Synchronization

/// A man in the middle for SDK tests: forwards every request to Bursar and, while `tamper` is
/// on, changes one byte of each bundle body on the way back (keeping its signature header);
/// while `replay` is on, answers every bundle poll with the first bundle it ever passed on
/// (genuine and correctly signed, but old); while `answerNotModified` is on, answers every
/// bundle poll that names an ETag with 304, whatever Bursar has published since.
public final class TamperingProxy: Sendable {
    final class Switch: Sendable {
        let on = Atomic<Bool>(false)
    }

    final class Counter: Sendable {
        let count = Atomic<Int>(0)
    }

    struct Forwarder: Responder {
        let upstreamPort: UInt16
        let tamper: Switch
        let replay = Switch()
        let notModified = Switch()
        let answeredNotModified = Counter()
        let first = Locked<Response?>(nil)

        func respond(to request: Request) -> Reply {
            if request.path == "/v1/bundle", replay.on.load(ordering: .relaxed), let old = first.withLock({ $0 }) {
                return .response(old)
            }
            if request.path == "/v1/bundle", notModified.on.load(ordering: .relaxed), let etag = request.headers["if-none-match"] {
                answeredNotModified.count.add(1, ordering: .relaxed)
                return .response(Response(status: 304, headers: [("etag", etag)]))
            }
            let connection = HTTPConnection(host: "127.0.0.1", port: upstreamPort)
            var target = request.path
            if !request.query.isEmpty {
                target += "?" + request.query.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                    .joined(separator: "&")
            }
            var headers = request.headers
            headers.removeValue(forKey: "host")
            headers.removeValue(forKey: "content-length")
            guard var reply = try? connection.send(request.method, target, headers: headers, body: request.body) else {
                return .response(Response(status: 502))
            }
            if request.path == "/v1/bundle", reply.status == 200, tamper.on.load(ordering: .relaxed),
               let index = reply.body.firstIndex(of: UInt8(ascii: "{")) {
                // `{"budgets":…` becomes `{"budgetz":…`: still JSON, no longer what was signed.
                reply.body[index + 8] = UInt8(ascii: "z")
            }
            let passed = reply.headers.filter { ["content-type", "etag", "bursar-signature", "preference-applied"].contains($0.key) }
            let response = Response(status: reply.status, headers: passed.map { ($0.key, $0.value) }, body: reply.body)
            if request.path == "/v1/bundle", reply.status == 200 { first.withLock { $0 = $0 ?? response } }
            return .response(response)
        }
    }

    private let server: MicroHTTPDServer
    private let forwarder: Forwarder
    public let port: UInt16

    public init(upstreamPort: UInt16) throws {
        forwarder = Forwarder(upstreamPort: upstreamPort, tamper: Switch())
        var configuration = MicroHTTPDServer.Configuration()
        configuration.port = 0
        configuration.threads = 8
        server = MicroHTTPDServer(configuration: configuration, responder: forwarder, logger: .forTests)
        port = try server.start()
    }

    deinit { server.stop() }

    public func tamper(_ on: Bool) {
        forwarder.tamper.on.store(on, ordering: .relaxed)
    }

    public func replay(_ on: Bool) {
        forwarder.replay.on.store(on, ordering: .relaxed)
    }

    public func answerNotModified(_ on: Bool) {
        forwarder.notModified.on.store(on, ordering: .relaxed)
    }

    /// Bundle polls the proxy answered 304 itself (none reached Bursar).
    public var answeredNotModified: Int { forwarder.answeredNotModified.count.load(ordering: .relaxed) }
}
