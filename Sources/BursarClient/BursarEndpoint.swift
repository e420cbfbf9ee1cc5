import BursarHTTPClient

/// Where Bursar is (`https://bursar.internal:8443`, or `http://` on a trusted network), the
/// key to use there, and the client that speaks to it: TLS with certificate verification
/// against the system's trust store, or only against `caFile` when one is pinned.
public struct BursarEndpoint: Sendable {
    public let url: String
    public let key: String
    let client: WebClient

    /// `WebClient.Failure.invalidURL` when `url` is not `http(s)://host[:port]`.
    public init(url: String, key: String, caFile: String? = nil) throws {
        guard WebClient.accepts(url) else { throw WebClient.Failure.invalidURL(url) }
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.key = key
        client = try WebClient(options: WebClient.Options(caFile: caFile))
    }

    public var authorization: [String: String] { ["Authorization": "Bearer \(key)"] }

    /// One request to `path` (with the key), waiting at most `timeoutSeconds` for the reply.
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = [], timeoutSeconds: Int64,
              cancellation: WebClient.Cancellation? = nil) throws(WebClient.Failure) -> WebClient.Reply {
        try client.send(method, url + path, headers: authorization.merging(headers) { _, new in new }, body: body,
                        timeoutSeconds: timeoutSeconds, cancellation: cancellation)
    }
}
