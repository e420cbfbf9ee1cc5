import BursarCore
import HTTPToolkit

extension Request {
    /// `from` and `to` (RFC 3339 times or dates), each optional: all time unless given.
    func timeSpan() throws -> (from: Int64, to: Int64) {
        func time(_ name: String) throws -> Int64? {
            guard let text = query[name] else { return nil }
            guard let millis = Timestamp.parse(text, allowDate: true) else {
                throw HTTPError.badRequest("\(name) must be an RFC 3339 time or a date", field: name)
            }
            return millis
        }
        return (try time("from") ?? 0, try time("to") ?? .max)
    }
}
