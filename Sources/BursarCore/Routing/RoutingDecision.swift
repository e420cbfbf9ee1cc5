/// Where one request goes and why: the tier, its model chain, and each step that led there.
///
/// The steps are kept as plain values and turned into sentences only when `reasons` is read,
/// so that deciding stays allocation-light.
public struct RoutingDecision: Sendable, Equatable {
    public var tier: String
    /// The tier's fallback chain, primary first.
    public var models: [ModelKey]
    /// The rule that matched, or nil when the default tier applied.
    public var rule: String?
    /// Whether the matched rule locks the request in its tier.
    public var locked: Bool
    /// A budget with the block action is exceeded for this request.
    public var blocked: Bool
    /// The bundle revision decided on.
    public var revision: String

    /// The tier the rule (or the default) chose.
    public var ruleTier: String
    /// The tier before climbing to one whose context window fits.
    public var contextClimbedFrom: String?
    /// The budget whose downgrade applied, and the tier before it.
    public var downgrade: (budget: String, from: String)?
    /// The override that applied, its effect, and the tier before it.
    public var override: (id: String, effect: Override.Effect, from: String)?
    /// An override or budget that would have moved a locked request and did not.
    public var heldByLock: String?
    /// The budget that blocks the request.
    public var blockedBy: String?
    /// The tier whose open circuit moved the request (to `tier`) or, when `blocked`, failed it.
    public var openCircuit: String?

    public init(tier: String, models: [ModelKey], rule: String?, locked: Bool, revision: String) {
        self.tier = tier
        self.models = models
        self.rule = rule
        self.locked = locked
        self.blocked = false
        self.revision = revision
        self.ruleTier = tier
    }

    /// The steps in words, in the order they were applied.
    public var reasons: [String] {
        var reasons = [rule.map { "rule \($0) matched: tier \(ruleTier)" } ?? "no rule matched: the default tier \(ruleTier)"]
        if let from = contextClimbedFrom { reasons.append("the context does not fit \(from)'s window: up to \(tierAfterContext)") }
        if let downgrade { reasons.append("budget \(downgrade.budget) is exceeded: downgraded from \(downgrade.from)") }
        if let override {
            let verb = switch override.effect {
            case .forceTier: "forces"
            case .minTier: "raises to at least"
            case .maxTier: "caps at"
            }
            reasons.append("override \(override.id) \(verb) tier \(tier) (was \(override.from))")
        }
        if let heldByLock { reasons.append("\(heldByLock) does not apply: rule \(rule ?? "") locks the tier") }
        if let blockedBy { reasons.append("budget \(blockedBy) is exceeded and blocks the request") }
        if let openCircuit {
            reasons.append(blocked && blockedBy == nil ? "tier \(openCircuit)'s circuit is open and no tier the policy allows is closed: the request fails"
                                                       : "tier \(openCircuit)'s circuit is open: moved to \(tier)")
        }
        return reasons
    }

    /// The tier after the context-window step (before budgets and overrides).
    private var tierAfterContext: String {
        downgrade?.from ?? override?.from ?? tier
    }

    public static func == (lhs: RoutingDecision, rhs: RoutingDecision) -> Bool {
        lhs.tier == rhs.tier && lhs.models == rhs.models && lhs.rule == rhs.rule && lhs.locked == rhs.locked
            && lhs.blocked == rhs.blocked && lhs.revision == rhs.revision && lhs.reasons == rhs.reasons
    }

    /// The answer of `POST /v1/decide`.
    public var json: JSONValue {
        .object([
            ("tier", .string(tier)),
            ("models", .array(models.map { .object([("provider", .string($0.provider)), ("model", .string($0.model))]) })),
            ("rule", rule.map(JSONValue.string) ?? .null),
            ("locked", .bool(locked)),
            ("blocked", .bool(blocked)),
            ("override", override.map { .string($0.id) } ?? .null),
            ("budget", (blockedBy ?? downgrade?.budget).map(JSONValue.string) ?? .null),
            ("reasons", .array(reasons.map(JSONValue.string))),
            ("revision", .string(revision)),
        ])
    }
}
