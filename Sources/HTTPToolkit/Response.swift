/// An HTTP response: status, headers and the whole body.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Who the request was answered for (an API key's name), for the access log; never sent.
    public var caller: String?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is an already serialized JSON document.
    public static func json(bytes: [UInt8], status: Int = 200, headers: [(String, String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: bytes)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
