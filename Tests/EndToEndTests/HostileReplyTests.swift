import BursarClient
import BursarCore
import BursarHTTPClient
import BursarTesting
import Foundation
import Testing

/// A server (or whatever sits in its place) that answers nonsense makes Bursar's clients fail
/// the request with an error, never crash the router or the server that hosts them.
@Suite struct HostileReplyTests {
    static let replies: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "nonsense\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ]

    @Test(arguments: replies)
    func theToolClientFailsCleanly(reply: String) throws {
        let server = try CannedReplyServer(reply: Array(reply.utf8))
        let connection = HTTPConnection(host: "127.0.0.1", port: server.port)
        connection.timeoutSeconds = 5
        #expect(throws: HTTPConnection.Failure.self) { try connection.send("GET", "/v1/bundle") }
    }

    @Test(arguments: replies)
    func theSDKClientFailsCleanly(reply: String) throws {
        let server = try CannedReplyServer(reply: Array(reply.utf8))
        #expect(throws: WebClient.Failure.self) { try WebClient().send("GET", "http://127.0.0.1:\(server.port)/v1/bundle", timeoutSeconds: 5) }
        // And a router on the SDK keeps routing from nothing but reports no bundle.
        let client = try RouterClient(url: "http://127.0.0.1:\(server.port)", key: "bsr_x", instanceID: "edge", stateDirectory: nil)
        client.start()
        #expect(!client.bundles.wait(timeout: 0.5) { _ in true })
        client.close(timeout: 0.5)
    }
}
