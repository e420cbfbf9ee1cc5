extension UsageEvent {
    /// The event in Bursar's native JSON form, as routers send it.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("source", .string(source)), ("time", .string(Timestamp.format(time))),
            ("model", .string(model)), ("provider", .string(provider)), ("tier", .string(tier)),
            ("input_tokens", .integer(inputTokens)), ("output_tokens", .integer(outputTokens)),
        ]
        func add(_ name: String, _ value: JSONValue?) { if let value { members.append((name, value)) } }
        func text(_ value: String) -> JSONValue? { value.isEmpty ? nil : .string(value) }
        add("cached_input_tokens", cachedInputTokens > 0 ? .integer(cachedInputTokens) : nil)
        add("reasoning_tokens", reasoningTokens > 0 ? .integer(reasoningTokens) : nil)
        add("user", text(user))
        add("team", text(team))
        add("feature", text(feature))
        add("cost_usd", reportedCost.map { .string($0.decimalString) })
        add("latency_ms", latencyMillis.map(JSONValue.integer))
        add("ttft_ms", timeToFirstTokenMillis.map(JSONValue.integer))
        add("status", status == .ok ? nil : .string(status.rawValue))
        add("request_id", text(requestID))
        add("attempt", attempt == 1 ? nil : .integer(attempt))
        add("reason", reason == .primary ? nil : .string(reason.rawValue))
        add("rule", text(rule))
        add("policy_revision", text(policyRevision))
        add("intent", text(intent))
        add("complexity", complexity.map(JSONValue.number))
        add("confidence", confidence.map(JSONValue.number))
        add("pii", pii.map(JSONValue.bool))
        add("context_tokens", contextTokens.map(JSONValue.integer))
        return .object(members)
    }
}
