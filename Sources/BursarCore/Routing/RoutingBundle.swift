/// The parts of a bundle that routing needs: the policy, the overrides in force and the
/// budgets' states, read from the bundle's JSON (as the SDK receives it).
public struct RoutingBundle: Sendable {
    /// A budget as routers see it: whether it is exceeded and what to do then.
    public struct BudgetState: Sendable, Equatable {
        public var id: String
        public var scope: [RollupDimension: String]
        public var state: BudgetStatus.State
        public var action: Budget.Action
        public var downgradeTo: String?

        public init(id: String, scope: [RollupDimension: String], state: BudgetStatus.State, action: Budget.Action, downgradeTo: String? = nil) {
            self.id = id
            self.scope = scope
            self.state = state
            self.action = action
            self.downgradeTo = downgradeTo
        }
    }

    public var revision: String
    /// Grows by one with every new revision Bursar publishes (0 in a bundle that has none).
    public var serial: Int64
    /// When Bursar issued this bundle (epoch milliseconds; 0 when absent): the same content
    /// is issued again, with its serial, as its `staleAfter` nears.
    public var issuedAt: Int64
    /// Past this time (epoch milliseconds) the bundle is stale: Bursar issues a fresh one well
    /// before, so a router still holding it has not heard from Bursar and raises an alarm.
    /// Nil in a bundle that has none.
    public var staleAfter: Int64?
    public var policyRevision: String
    public var policy: Policy?
    public var overrides: [Override]
    public var budgets: [BudgetState]

    public init(revision: String, serial: Int64 = 0, issuedAt: Int64 = 0, staleAfter: Int64? = nil, policyRevision: String = "",
                policy: Policy?, overrides: [Override] = [], budgets: [BudgetState] = []) {
        self.revision = revision
        self.serial = serial
        self.issuedAt = issuedAt
        self.staleAfter = staleAfter
        self.policyRevision = policyRevision
        self.policy = policy
        self.overrides = overrides
        self.budgets = budgets
    }

    /// Reads the bundle's bytes (`GET /v1/bundle`).
    public static func parse(_ bytes: [UInt8]) throws(FieldError) -> RoutingBundle {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw FieldError(code: "invalid_bundle", message: "the bundle is not JSON: \(error)")
        }
        guard let revision = json[member: "revision"]?.stringValue else { throw .missing("revision") }
        var policy: Policy?
        var policyRevision = ""
        if let policyJSON = json[member: "policy"], policyJSON != .null {
            policy = try Policy(json: policyJSON)
            policyRevision = policyJSON[member: "revision"]?.stringValue ?? ""
        }
        let overrides = try (json[member: "overrides"]?.arrayValue ?? []).enumerated().map { (index, value) throws(FieldError) in
            try override(value, path: "overrides[\(index)]")
        }
        let budgets = try (json[member: "budgets"]?.arrayValue ?? []).enumerated().map { (index, value) throws(FieldError) in
            try budget(value, path: "budgets[\(index)]")
        }
        let serial = json[member: "serial"]?.integerValue ?? 0
        let issuedAt = json[member: "issued_at"]?.stringValue.flatMap { Timestamp.parse($0) } ?? 0
        let staleAfter = json[member: "stale_after"]?.stringValue.flatMap { Timestamp.parse($0) }
        return RoutingBundle(revision: revision, serial: serial, issuedAt: issuedAt, staleAfter: staleAfter, policyRevision: policyRevision, policy: policy,
                             overrides: overrides, budgets: budgets)
    }

    private static func override(_ value: JSONValue, path: String) throws(FieldError) -> Override {
        let reader = PolicyJSONReader(value, path: path)
        guard let effect = Override.Effect(rawValue: try reader.string("effect")) else { throw .invalid(path + ".effect", "is not a known effect") }
        var match: [String: String] = [:]
        for (name, text) in reader.value("match")?.objectMembers ?? [] { match[name] = text.stringValue ?? "" }
        return Override(id: try reader.string("id"), match: match, effect: effect, tier: try reader.string("tier"),
                        expiresAt: reader.value("expires_at")?.stringValue.flatMap { Timestamp.parse($0) },
                        reason: reader.value("reason")?.stringValue ?? "", author: reader.value("author")?.stringValue ?? "")
    }

    private static func budget(_ value: JSONValue, path: String) throws(FieldError) -> BudgetState {
        let reader = PolicyJSONReader(value, path: path)
        guard let state = BudgetStatus.State(rawValue: try reader.string("state")) else { throw .invalid(path + ".state", "is not a known state") }
        guard let action = Budget.Action(rawValue: try reader.string("action")) else { throw .invalid(path + ".action", "is not a known action") }
        var scope: [RollupDimension: String] = [:]
        for (name, text) in reader.value("scope")?.objectMembers ?? [] {
            if let dimension = RollupDimension(rawValue: name) { scope[dimension] = text.stringValue ?? "" }
        }
        return BudgetState(id: try reader.string("id"), scope: scope, state: state, action: action,
                           downgradeTo: reader.value("downgrade_to")?.stringValue)
    }
}
