extension Policy {
    /// The policy as JSON, in a fixed member order; with `canonical` serialisation its bytes
    /// (and so its content hash, the revision) depend only on its content.
    public var json: JSONValue {
        func range(_ range: NumberRange?) -> JSONValue? {
            range.map { range in
                .object([("at_least", range.atLeast.map(JSONValue.number)), ("below", range.below.map(JSONValue.number))]
                    .compactMap { name, value in value.map { (name, $0) } })
            }
        }
        func texts(_ values: [String]?) -> JSONValue? { values.map { .array($0.map(JSONValue.string)) } }
        func model(_ key: ModelKey) -> JSONValue { .object([("provider", .string(key.provider)), ("model", .string(key.model))]) }
        let rules: [JSONValue] = rules.map { rule in
            let conditions: [(String, JSONValue?)] = [
                ("intent", texts(rule.when.intent)), ("complexity", range(rule.when.complexity)),
                ("confidence", range(rule.when.confidence)), ("pii", rule.when.pii.map(JSONValue.bool)),
                ("keywords", texts(rule.when.keywords)), ("user", texts(rule.when.user)), ("team", texts(rule.when.team)),
                ("feature", texts(rule.when.feature)), ("context_tokens", range(rule.when.contextTokens)),
            ]
            return .object([
                ("id", .string(rule.id)),
                ("when", .object(conditions.compactMap { name, value in value.map { (name, $0) } })),
                ("tier", .string(rule.tier)),
                ("lock", .bool(rule.lock)),
            ])
        }
        return .object([
            ("name", .string(name)),
            ("description", .string(description)),
            ("baseline_tier", .string(baselineTier)),
            ("ladder", .array(ladder.map(JSONValue.string))),
            ("default_tier", .string(defaultTier)),
            ("tiers", .array(tiers.map { tier in
                .object([
                    ("name", .string(tier.name)),
                    ("models", .array(tier.models.map(model))),
                    ("latency_slo_ms", .optional(tier.latencySLOMillis)),
                    ("max_context_tokens", .optional(tier.maxContextTokens)),
                ])
            })),
            ("rules", .array(rules)),
            ("escalation", .object([
                ("confidence_band", escalation.confidenceBand.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null),
                ("on_invalid_output", .string(escalation.onInvalidOutput.rawValue)),
                ("max_steps", .integer(Int64(escalation.maxSteps))),
            ])),
            ("fallback", .object([
                ("on", .array(fallback.on.map(JSONValue.string))),
                ("latency_guardrail", .bool(fallback.latencyGuardrail)),
            ])),
            ("circuit_breaker", .object([
                ("error_rate", .number(circuitBreaker.errorRate)),
                ("min_requests", .integer(Int64(circuitBreaker.minRequests))),
                ("window_seconds", .integer(Int64(circuitBreaker.windowSeconds))),
                ("cooldown_seconds", .integer(Int64(circuitBreaker.cooldownSeconds))),
                ("when_open", .string(circuitBreaker.whenOpen.rawValue)),
            ])),
            ("shadow", .array(shadows.map { shadow in
                .object([("tier", .string(shadow.tier)), ("model", model(shadow.model)), ("sample", .number(shadow.sample))])
            })),
        ])
    }
}
