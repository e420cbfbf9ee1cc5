import BursarCore
import HTTPToolkit

extension Request {
    /// The body as a JSON document: 415 unless it is `application/json`, 400 when it does not parse.
    public func jsonBody(describing what: String) throws -> JSONValue {
        guard mediaType == "application/json" else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send the \(what) as application/json", field: "Content-Type")
        }
        do {
            return try JSONValue.parse(body)
        } catch {
            throw HTTPError(400, code: "malformed_body", message: "the body is not valid JSON: \(error)")
        }
    }
}
