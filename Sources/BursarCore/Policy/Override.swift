/// An admin's exception to the policy for some users, teams or features, until it expires.
public struct Override: Sendable, Equatable {
    public enum Effect: String, Sendable, CaseIterable {
        /// Always this tier.
        case forceTier = "force_tier"
        /// At least this tier on the ladder.
        case minTier = "min_tier"
        /// At most this tier on the ladder.
        case maxTier = "max_tier"
    }

    public var id: String
    /// Every given dimension must match (user, team, feature).
    public var match: [String: String]
    public var effect: Effect
    public var tier: String
    /// Epoch milliseconds; nil for no expiry.
    public var expiresAt: Int64?
    public var reason: String
    public var author: String

    public static let matchable = ["user", "team", "feature"]

    public init(id: String, match: [String: String], effect: Effect, tier: String, expiresAt: Int64?, reason: String, author: String) {
        self.id = id
        self.match = match
        self.effect = effect
        self.tier = tier
        self.expiresAt = expiresAt
        self.reason = reason
        self.author = author
    }

    public func isActive(at time: Int64) -> Bool { expiresAt.map { time < $0 } ?? true }

    /// Reads an override from a request body, naming the field that is wrong.
    public static func parse(id: String, _ body: JSONValue, author: String, now: Int64,
                             tiers: Set<String>?) throws(FieldError) -> Override {
        guard case .object(let members) = body else { throw FieldError(code: "invalid_body", message: "an override is a JSON object") }
        let allowed: Set<String> = ["match", "effect", "tier", "expires_at", "reason"]
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw .invalid(unknown.0, "is not an override field (\(allowed.sorted().joined(separator: ", ")))")
        }
        guard !id.isEmpty, id.utf8.count <= 100, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalid("id", "must be 1 to 100 bytes of letters, digits, '-', '_' or '.'")
        }
        guard case .object(let pairs)? = body[member: "match"], !pairs.isEmpty else {
            throw .invalid("match", "must be an object naming user, team and/or feature")
        }
        var match: [String: String] = [:]
        for (name, value) in pairs {
            guard matchable.contains(name) else { throw .invalid("match.\(name)", "can only be user, team or feature") }
            guard let text = value.stringValue else { throw .invalid("match.\(name)", "must be a non-empty string") }
            try StoredText.check(text, field: "match.\(name)", maximumBytes: EventFields.maximumTextLength)
            match[name] = text
        }
        guard let effectName = body[member: "effect"]?.stringValue else { throw .missing("effect") }
        guard let effect = Effect(rawValue: effectName) else {
            throw .invalid("effect", "must be one of: \(Effect.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let tier = body[member: "tier"]?.stringValue, !tier.isEmpty else { throw .missing("tier") }
        if let tiers, !tiers.contains(tier) {
            throw .invalid("tier", "'\(tier)' is not a tier of the active policy (\(tiers.sorted().joined(separator: ", ")))")
        }
        var expiresAt: Int64?
        if let value = body[member: "expires_at"], value != .null {
            guard let text = value.stringValue, let millis = Timestamp.parse(text) else {
                throw .invalid("expires_at", "must be an RFC 3339 time such as 2026-12-31T00:00:00Z")
            }
            guard millis > now else { throw .invalid("expires_at", "is in the past") }
            expiresAt = millis
        }
        let reason = body[member: "reason"]?.stringValue ?? ""
        if !reason.isEmpty { try StoredText.check(reason, field: "reason", maximumBytes: 1000) }
        return Override(id: id, match: match, effect: effect, tier: tier, expiresAt: expiresAt, reason: reason, author: author)
    }

    public var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("match", .object(match.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("effect", .string(effect.rawValue)),
            ("tier", .string(tier)),
            ("expires_at", expiresAt.map { .string(Timestamp.format($0)) } ?? .null),
            ("reason", .string(reason)),
            ("author", .string(author)),
        ])
    }
}
