/// A problem with one field of an input, named so that the sender can fix it.
public struct FieldError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var field: String?

    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public static func missing(_ field: String) -> FieldError {
        FieldError(code: "missing_field", message: "\(field) is required", field: field)
    }

    public static func invalid(_ field: String, _ message: String) -> FieldError {
        FieldError(code: "invalid_field", message: "\(field) \(message)", field: field)
    }
}
