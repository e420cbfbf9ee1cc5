/// Where Bursar is and the key to use there.
public struct BursarEndpoint: Sendable {
    public var host: String
    public var port: UInt16
    public var key: String

    /// `http://host:port` and a router key; nil when the address is not of that form.
    public init?(url: String, key: String) {
        guard let probe = HTTPConnection(url: url) else { return nil }
        host = probe.host
        port = probe.port
        self.key = key
    }

    /// A new connection whose reads and writes give up after `timeoutSeconds`.
    public func connection(timeoutSeconds: Int) -> HTTPConnection {
        let connection = HTTPConnection(host: host, port: port)
        connection.timeoutSeconds = timeoutSeconds
        return connection
    }

    public var authorization: [String: String] { ["Authorization": "Bearer \(key)"] }
}
