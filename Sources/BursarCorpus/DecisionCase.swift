import BursarCore
/// A routing request decided under a bundle, with optional runtime state, and what the
/// decision, the shadow model and the next runtime move must be.
///
/// ```json
/// {"name": "pii is locked on secure",
///  "request": {"pii": true, "complexity": 0.9},
///  "open_circuits": ["secure"],
///  "attempt": {"outcome": "timeout", "model_index": 0},
///  "expect": {"decision": {"tier": "secure", "models": [...], "rule": "pii", "locked": true,
///                          "blocked": true, "override": null, "budget": null},
///             "shadow": null, "move": {"move": "stop"}}}
/// ```
///
/// `attempt.outcome` is `timeout`, `rate_limited`, `server_error` or `invalid_output` (a
/// failed attempt), `latency` (an attempt that took `latency_ms`) or `confidence` (an answer
/// with `confidence`); `steps_taken` (escalations so far) and `retried` default to 0 and false.
struct DecisionCase {
    /// What the cases of a file share.
    struct Shared {
        let bundle: JSONValue
        let now: Int64
        /// The file's bundle as an engine, built once for the cases that keep its overrides and budgets.
        let engine: PolicyEngine

        init(file: JSONValue) throws(FieldError) {
            guard let bundle = file[member: "bundle"] else { throw .missing("bundle") }
            self.bundle = bundle
            now = try DecisionCase.time(file[member: "now"], field: "now") ?? 0
            engine = try Self.engine(bundle.objectMembers, name: "bundle")
        }

        /// The engine of a bundle (given as its members).
        static func engine(_ members: [(String, JSONValue)], name: String) throws(FieldError) -> PolicyEngine {
            guard let engine = PolicyEngine(bundle: try RoutingBundle.parse(JSONValue.object(members).serialized())) else {
                throw .missing("\(name): bundle.policy")
            }
            return engine
        }
    }

    let name: String
    let engine: PolicyEngine
    let now: Int64
    let request: RoutingRequest
    let openCircuits: Set<String>
    let attempt: JSONValue?
    let expected: JSONValue

    init(_ item: JSONValue, shared: Shared) throws(FieldError) {
        name = item[member: "name"]?.stringValue ?? "(unnamed)"
        let replacements = ["overrides", "budgets"].compactMap { member in item[member: member].map { (member, $0) } }
        if replacements.isEmpty {
            engine = shared.engine
        } else {
            let kept = shared.bundle.objectMembers.filter { member in !replacements.contains { $0.0 == member.0 } }
            engine = try Shared.engine(kept + replacements, name: name)
        }
        now = try Self.time(item[member: "now"], field: "\(name): now") ?? shared.now
        do {
            request = try RoutingRequest.parse(item[member: "request"] ?? .object([]))
        } catch {
            throw FieldError(code: error.code, message: "\(name): request: \(error.message)")
        }
        openCircuits = Set((item[member: "open_circuits"]?.arrayValue ?? []).compactMap(\.stringValue))
        attempt = item[member: "attempt"]
        guard let expected = item[member: "expect"], expected[member: "decision"] != nil else { throw .missing("\(name): expect.decision") }
        guard attempt == nil || expected[member: "move"] != nil else { throw .missing("\(name): expect.move (the case has an attempt)") }
        self.expected = expected
    }

    func run() throws(FieldError) -> ConformanceResult {
        var decision = engine.decide(request, now: now)
        if !openCircuits.isEmpty { decision = engine.avoidingOpenCircuits(decision, isOpen: openCircuits.contains) }
        var actual: [(String, JSONValue)] = [("decision", Self.essentials(decision.json))]
        if expected[member: "shadow"] != nil {
            actual.append(("shadow", engine.shadow(for: decision, requestID: request.requestID).map(Self.model) ?? .null))
        }
        if let attempt { actual.append(("move", try move(after: attempt, decision: decision))) }
        return ConformanceResult(name: name, expected: expected, actual: .object(actual))
    }

    /// The decision's members a case compares (reasons may be worded differently; the revision is the bundle's).
    static func essentials(_ decision: JSONValue) -> JSONValue {
        .object(decision.objectMembers.filter { !["reasons", "revision"].contains($0.0) })
    }

    static func model(_ key: ModelKey) -> JSONValue {
        .object([("provider", .string(key.provider)), ("model", .string(key.model))])
    }

    static func move(_ move: RuntimeMove) -> JSONValue {
        switch move {
        case .fallback(let index): return .object([("move", "fallback"), ("model_index", .integer(Int64(index)))])
        case .escalate(let tier): return .object([("move", "escalate"), ("tier", .string(tier))])
        case .retry: return .object([("move", "retry")])
        case .stop: return .object([("move", "stop")])
        }
    }

    private func move(after attempt: JSONValue, decision: RoutingDecision) throws(FieldError) -> JSONValue {
        let modelIndex = Int(attempt[member: "model_index"]?.integerValue ?? 0)
        let steps = Int(attempt[member: "steps_taken"]?.integerValue ?? 0)
        let tier = decision.tier
        switch attempt[member: "outcome"]?.stringValue {
        case "timeout", "rate_limited", "server_error":
            return Self.move(engine.moveForFailure(attempt[member: "outcome"]?.stringValue ?? "", tier: tier, modelIndex: modelIndex))
        case "invalid_output":
            return Self.move(engine.moveForInvalidOutput(tier: tier, modelIndex: modelIndex, stepsTaken: steps,
                                                         retried: attempt[member: "retried"]?.boolValue ?? false, locked: decision.locked))
        case "latency":
            guard let millis = attempt[member: "latency_ms"]?.integerValue else { throw .missing("\(name): attempt.latency_ms") }
            return Self.move(engine.moveForLatency(millis, tier: tier, modelIndex: modelIndex))
        case "confidence":
            guard let confidence = attempt[member: "confidence"]?.numberValue else { throw .missing("\(name): attempt.confidence") }
            return Self.move(engine.escalation(from: tier, confidence: confidence, stepsTaken: steps, locked: decision.locked)
                .map(RuntimeMove.escalate) ?? .stop)
        default:
            throw .invalid("\(name): attempt.outcome", "must be timeout, rate_limited, server_error, invalid_output, latency or confidence")
        }
    }

    static func time(_ value: JSONValue?, field: String) throws(FieldError) -> Int64? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, let millis = Timestamp.parse(text) else { throw .invalid(field, "must be an RFC 3339 time") }
        return millis
    }
}
