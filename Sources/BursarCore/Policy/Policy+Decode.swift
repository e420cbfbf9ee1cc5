extension Policy {
    /// Reads a policy from the JSON that `json` writes (as routers find it in the bundle).
    ///
    /// The bundle is made and signed by Bursar from a validated policy, so this checks shape,
    /// not meaning; a problem names its field.
    public init(json: JSONValue) throws(FieldError) {
        let reader = PolicyJSONReader(json)
        name = try reader.string("name")
        description = (try? reader.string("description")) ?? ""
        baselineTier = try reader.string("baseline_tier")
        ladder = try reader.strings("ladder") ?? []
        defaultTier = try reader.string("default_tier")
        tiers = try reader.objects("tiers").enumerated().map { (index, tier) throws(FieldError) in
            let field = PolicyJSONReader(tier, path: "tiers[\(index)]")
            return Tier(name: try field.string("name"),
                        models: try field.objects("models").map { (model) throws(FieldError) in try PolicyJSONReader.model(model, path: field.path + ".models") },
                        latencySLOMillis: field.value("latency_slo_ms")?.integerValue,
                        maxContextTokens: field.value("max_context_tokens")?.integerValue)
        }
        rules = try reader.objects("rules").enumerated().map { (index, rule) throws(FieldError) in
            let field = PolicyJSONReader(rule, path: "rules[\(index)]")
            let when = PolicyJSONReader(field.value("when") ?? .object([]), path: field.path + ".when")
            var conditions = Conditions()
            conditions.intent = try when.strings("intent")
            conditions.complexity = when.range("complexity")
            conditions.confidence = when.range("confidence")
            conditions.pii = when.value("pii")?.boolValue
            conditions.keywords = try when.strings("keywords")
            conditions.user = try when.strings("user")
            conditions.team = try when.strings("team")
            conditions.feature = try when.strings("feature")
            conditions.contextTokens = when.range("context_tokens")
            return Rule(id: try field.string("id"), when: conditions, tier: try field.string("tier"), lock: field.value("lock")?.boolValue ?? false)
        }
        let escalationJSON = PolicyJSONReader(reader.value("escalation") ?? .object([]), path: "escalation")
        var band: ClosedRange<Double>?
        if let bounds = escalationJSON.value("confidence_band")?.arrayValue?.compactMap(\.numberValue), bounds.count == 2, bounds[0] <= bounds[1] {
            band = bounds[0]...bounds[1]
        }
        escalation = Escalation(
            confidenceBand: band,
            onInvalidOutput: escalationJSON.value("on_invalid_output")?.stringValue.flatMap(Escalation.InvalidOutputAction.init(rawValue:)) ?? .nextTier,
            maxSteps: Int(escalationJSON.value("max_steps")?.integerValue ?? 1))
        let fallbackJSON = PolicyJSONReader(reader.value("fallback") ?? .object([]), path: "fallback")
        fallback = Fallback(on: try fallbackJSON.strings("on") ?? Fallback().on,
                            latencyGuardrail: fallbackJSON.value("latency_guardrail")?.boolValue ?? false)
        let breaker = PolicyJSONReader(reader.value("circuit_breaker") ?? .object([]), path: "circuit_breaker")
        let defaults = CircuitBreaker()
        circuitBreaker = CircuitBreaker(
            errorRate: breaker.value("error_rate")?.numberValue ?? defaults.errorRate,
            minRequests: Int(breaker.value("min_requests")?.integerValue ?? Int64(defaults.minRequests)),
            windowSeconds: Int(breaker.value("window_seconds")?.integerValue ?? Int64(defaults.windowSeconds)),
            cooldownSeconds: Int(breaker.value("cooldown_seconds")?.integerValue ?? Int64(defaults.cooldownSeconds)),
            whenOpen: breaker.value("when_open")?.stringValue.flatMap(CircuitBreaker.WhenOpen.init(rawValue:)) ?? defaults.whenOpen)
        shadows = try reader.objects("shadow").enumerated().map { (index, shadow) throws(FieldError) in
            let field = PolicyJSONReader(shadow, path: "shadow[\(index)]")
            guard let model = field.value("model") else { throw .missing(field.path + ".model") }
            return Shadow(tier: try field.string("tier"), model: try PolicyJSONReader.model(model, path: field.path + ".model"),
                          sample: field.value("sample")?.numberValue ?? 0)
        }
    }
}

/// Typed access to the members of one JSON object, naming the path of what is wrong.
package struct PolicyJSONReader {
    let object: JSONValue
    let path: String

    init(_ object: JSONValue, path: String = "") {
        self.object = object
        self.path = path
    }

    func name(_ member: String) -> String { path.isEmpty ? member : "\(path).\(member)" }

    func value(_ member: String) -> JSONValue? {
        guard let value = object[member: member], value != .null else { return nil }
        return value
    }

    func string(_ member: String) throws(FieldError) -> String {
        guard let text = value(member)?.stringValue else { throw .invalid(name(member), "must be a string") }
        return text
    }

    func strings(_ member: String) throws(FieldError) -> [String]? {
        guard let value = value(member) else { return nil }
        guard let elements = value.arrayValue else { throw .invalid(name(member), "must be a list of strings") }
        return try elements.map { (element) throws(FieldError) in
            guard let text = element.stringValue else { throw .invalid(name(member), "must be a list of strings") }
            return text
        }
    }

    func objects(_ member: String) throws(FieldError) -> [JSONValue] {
        guard let value = value(member) else { return [] }
        guard let elements = value.arrayValue else { throw .invalid(name(member), "must be a list") }
        return elements
    }

    func range(_ member: String) -> Policy.NumberRange? {
        guard let value = value(member) else { return nil }
        return Policy.NumberRange(atLeast: value[member: "at_least"]?.numberValue, below: value[member: "below"]?.numberValue)
    }

    package static func model(_ value: JSONValue, path: String) throws(FieldError) -> ModelKey {
        let reader = PolicyJSONReader(value, path: path)
        return ModelKey(provider: try reader.string("provider"), model: try reader.string("model"))
    }
}
