import BursarCore
import HTTPToolkit

extension Response {
    public static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> Response {
        .json(bytes: value.serialized(), status: status, headers: headers)
    }
}

extension HTTPError {
    /// The error a field's problem answers with.
    public init(_ status: Int, _ error: FieldError) {
        self.init(status, code: error.code, message: error.message, field: error.field)
    }

    /// The body `response` sends, as a value (for answers that add members to it).
    public static func errorBody(code: String, message: String, field: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if let field { members.append(("field", .string(field))) }
        return .object([("error", .object(members))])
    }
}
