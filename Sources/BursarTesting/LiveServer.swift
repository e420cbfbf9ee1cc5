import BursarClient
import BursarHTTPClient
import BursarHTTP
import BursarServices
import HTTPToolkit
import MicroHTTPDServer

/// A `TestApp` served over a real socket by libmicrohttpd on a free port.
public final class LiveServer: Sendable {
    public let app: TestApp
    public let server: MicroHTTPDServer
    public let port: UInt16

    public init(app: TestApp, maximumBodyBytes: Int = 16 * 1024 * 1024, maximumBodyBytesInFlight: Int = 256 * 1024 * 1024,
                headDeadline: Duration = .seconds(10), connectionsPerClient: UInt32 = 1_000) throws {
        self.app = app
        var configuration = MicroHTTPDServer.Configuration()
        configuration.port = 0
        configuration.maximumBodyBytes = maximumBodyBytes
        configuration.maximumBodyBytesInFlight = maximumBodyBytesInFlight
        configuration.connectionTimeoutSeconds = 10
        configuration.accessLog = false
        configuration.headDeadline = headDeadline
        configuration.connectionsPerClient = connectionsPerClient
        server = MicroHTTPDServer(configuration: configuration, responder: app.api, logger: .forTests)
        port = try server.start()
    }

    /// Answers the long polls still held, lets every request finish, then stops (libmicrohttpd
    /// aborts the process if it is stopped with a request suspended).
    deinit {
        app.application.beginStopping()
        server.drain(timeout: .seconds(10))
    }

    public func socket() throws -> RawSocket {
        try RawSocket(port: port)
    }

    public func connection() -> HTTPConnection {
        HTTPConnection(host: "127.0.0.1", port: port)
    }
}
