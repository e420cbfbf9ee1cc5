import BursarCore

/// Builds event JSON for tests, with sensible defaults for the required fields.
public enum EventJSON {
    public static func event(_ id: String, time: String = "2026-11-20T10:15:00Z", model: String = "gpt-4o-mini",
                             provider: String = "openai", tier: String = "standard", input: Int64 = 1000,
                             output: Int64 = 200, extra: [(String, JSONValue)] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("time", .string(time)), ("model", .string(model)), ("provider", .string(provider)),
            ("tier", .string(tier)), ("input_tokens", .integer(input)), ("output_tokens", .integer(output)),
        ]
        for (name, value) in extra {
            members.removeAll { $0.0 == name }
            members.append((name, value))
        }
        return .object(members)
    }
}
