import BursarCore
import HTTPToolkit

extension Request {
    /// The body as a JSON document: 415 unless it is `application/json`, 400 when it does not
    /// parse, 413 when it would decode into more than `JSONValue.standardMaximumCost`; what it
    /// decodes into is held against the memory every request shares.
    public func jsonBody(describing what: String) throws -> JSONValue {
        guard mediaType == "application/json" else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send the \(what) as application/json", field: "Content-Type")
        }
        let document: (value: JSONValue, cost: Int)
        do {
            document = try JSONValue.measuredParse(body)
        } catch {
            throw HTTPError(decoding: error, what: "the body")
        }
        try memory?.take(document.cost, for: "JSON documents")
        return document.value
    }
}

extension HTTPError {
    /// 413 for JSON that decodes into more than its reader allows, 400 for JSON that is not valid.
    public init(decoding error: JSONSyntaxError, what: String) {
        if error.isTooLarge {
            self.init(413, code: "body_too_large", message: "\(what) is too large to take: \(error.message)")
        } else {
            self.init(400, code: "malformed_body", message: "\(what) is not valid JSON: \(error)")
        }
    }
}
