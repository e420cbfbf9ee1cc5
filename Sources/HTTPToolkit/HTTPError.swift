/// An error a handler throws; the router renders every one as
/// `{"error":{"code","message","field"}}` with its status.
public struct HTTPError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?
    public var headers: [(String, String)]

    public init(_ status: Int, code: String, message: String, field: String? = nil, headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public static func badRequest(_ message: String, field: String? = nil) -> HTTPError {
        HTTPError(400, code: "bad_request", message: message, field: field)
    }

    public static func notFound(_ message: String = "no such resource") -> HTTPError {
        HTTPError(404, code: "not_found", message: message)
    }

    public static func unavailable(_ message: String, retryAfter: Int = 1) -> HTTPError {
        HTTPError(503, code: "unavailable", message: message, headers: [("Retry-After", String(retryAfter))])
    }

    /// `{"error":{"code","message","field"}}`.
    public var response: Response {
        var members = [("code", code), ("message", message)]
        if let field { members.append(("field", field)) }
        let error = members.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }.joined(separator: ",")
        return .json(bytes: Array("{\"error\":{\(error)}}".utf8), status: status, headers: headers)
    }
}
