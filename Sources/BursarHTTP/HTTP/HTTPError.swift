import BursarCore

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

    public init(_ status: Int, _ error: FieldError) {
        self.init(status, code: error.code, message: error.message, field: error.field)
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

    public static func errorBody(code: String, message: String, field: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if let field { members.append(("field", .string(field))) }
        return .object([("error", .object(members))])
    }

    public var response: Response {
        .json(Self.errorBody(code: code, message: message, field: field), status: status, headers: headers)
    }
}
