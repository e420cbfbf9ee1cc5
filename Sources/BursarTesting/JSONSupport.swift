import Foundation

/// Reading JSON answers in tests.
public enum JSONSupport {
    public struct NotAnObject: Error, CustomStringConvertible {
        public var text: String
        public var description: String { "not a JSON object: \(text)" }
    }

    public static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw NotAnObject(text: String(decoding: bytes, as: UTF8.self))
        }
        return object
    }

    public static func object(_ text: String) throws -> [String: Any] {
        try object(Array(text.utf8))
    }
}
