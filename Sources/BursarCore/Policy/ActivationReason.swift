import Foundation

/// Why an admin activated a policy, as the audit log keeps it: the optional body
/// `{"reason": "..."}` of an activation, checked like any other input.
public enum ActivationReason {
    /// Longest reason kept, in UTF-8 bytes.
    public static let maximumBytes = 4_000

    /// The reason in `body` (trimmed; nil when absent, null or blank).
    public static func parse(_ body: JSONValue) throws(FieldError) -> String? {
        guard case .object(let members) = body else {
            throw FieldError(code: "invalid_body", message: "the body must be a JSON object such as {\"reason\": \"...\"}")
        }
        if let unknown = members.first(where: { $0.0 != "reason" }) {
            throw FieldError.invalid(unknown.0, "is not a member of an activation (only reason is)")
        }
        guard let value = body[member: "reason"], value != .null else { return nil }
        guard let text = value.stringValue else { throw FieldError.invalid("reason", "must be text") }
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.utf8.count <= maximumBytes else { throw FieldError.invalid("reason", "is at most \(maximumBytes) bytes of UTF-8") }
        // Control characters (but line breaks and tabs) and bidirectional overrides could make
        // the audit log read other than what was written.
        if let bad = reason.unicodeScalars.first(where: { scalar in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }) {
            throw FieldError.invalid("reason", "holds the control character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        return reason.isEmpty ? nil : reason
    }
}
