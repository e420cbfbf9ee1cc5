/// The fields of one event as they are read, before they are checked as a whole.
///
/// Each setter checks the JSON type of one field; the first problem is kept, with the
/// field named, and reading goes on so that the rest of the batch can still be parsed.
struct EventFields {
    static let maximumTextLength = 1024

    var id: String?
    var source: String?
    var time: String?
    var model: String?
    var provider: String?
    var tier: String?
    var inputTokens: Int64?
    var outputTokens: Int64?
    var cachedInputTokens: Int64?
    var reasoningTokens: Int64?
    var user: String?
    var team: String?
    var feature: String?
    var reportedCost: Money?
    var latencyMillis: Int64?
    var timeToFirstTokenMillis: Int64?
    var status: EventStatus?
    var requestID: String?
    var attempt: Int64?
    var reason: AttemptReason?
    var rule: String?
    var policyRevision: String?
    var intent: String?
    var complexity: Double?
    var confidence: Double?
    var pii: Bool?
    var contextTokens: Int64?
    var problem: FieldError?

    /// Takes one member of an event object; unknown names are ignored.
    mutating func take(_ name: String, _ value: JSONScalar) {
        if case .null = value { return }
        switch name {
        case "id": id = text(name, value)
        case "source": source = text(name, value)
        case "time": time = text(name, value)
        case "model": model = text(name, value)
        case "provider": provider = text(name, value)
        case "tier": tier = text(name, value)
        case "input_tokens": inputTokens = count(name, value)
        case "output_tokens": outputTokens = count(name, value)
        case "cached_input_tokens": cachedInputTokens = count(name, value)
        case "reasoning_tokens": reasoningTokens = count(name, value)
        case "user": user = text(name, value)
        case "team": team = text(name, value)
        case "feature": feature = text(name, value)
        case "cost_usd": reportedCost = money(name, value)
        case "latency_ms": latencyMillis = milliseconds(name, value)
        case "ttft_ms": timeToFirstTokenMillis = milliseconds(name, value)
        case "status": status = choice(name, value)
        case "request_id": requestID = text(name, value)
        case "attempt": attempt = count(name, value)
        case "reason": reason = choice(name, value)
        case "rule": rule = text(name, value)
        case "policy_revision": policyRevision = text(name, value)
        case "intent": intent = text(name, value)
        case "complexity": complexity = fraction(name, value)
        case "confidence": confidence = fraction(name, value)
        case "pii": pii = flag(name, value)
        case "context_tokens": contextTokens = count(name, value)
        default: break
        }
    }

    /// Checks the event as a whole and builds it, or names the first problem.
    func event(defaultSource: String, sources: SourceGrant, window: ClosedRange<Int64>) -> Result<UsageEvent, FieldError> {
        if let problem { return .failure(problem) }
        guard let id, !id.isEmpty else { return .failure(id == nil ? .missing("id") : .invalid("id", "must not be empty")) }
        guard let time else { return .failure(.missing("time")) }
        guard let millis = Timestamp.parse(time) else {
            return .failure(.invalid("time", "must be an RFC 3339 timestamp such as 2026-11-22T19:32:06Z"))
        }
        guard window.contains(millis) else {
            return .failure(.invalid("time", "is outside the accepted window \(Timestamp.format(window.lowerBound)) to \(Timestamp.format(window.upperBound))"))
        }
        guard let model, !model.isEmpty else { return .failure(.missing("model")) }
        guard let provider, !provider.isEmpty else { return .failure(.missing("provider")) }
        guard let tier, !tier.isEmpty else { return .failure(.missing("tier")) }
        guard let inputTokens else { return .failure(.missing("input_tokens")) }
        guard let outputTokens else { return .failure(.missing("output_tokens")) }
        if let cachedInputTokens, cachedInputTokens > inputTokens {
            return .failure(.invalid("cached_input_tokens", "must not exceed input_tokens (cached tokens are part of the input)"))
        }
        if let reasoningTokens, reasoningTokens > outputTokens {
            return .failure(.invalid("reasoning_tokens", "must not exceed output_tokens (reasoning tokens are part of the output)"))
        }
        if let attempt, attempt < 1 { return .failure(.invalid("attempt", "must be 1 or more")) }
        let source = self.source.flatMap { $0.isEmpty ? nil : $0 } ?? defaultSource
        guard sources.allows(source) else {
            return .failure(FieldError(code: "foreign_source", message: "source '\(source)' is not one this key may write (it may write: \(sources.text))",
                                       field: "source"))
        }
        var event = UsageEvent(id: id, source: source, time: millis, model: model, provider: provider, tier: tier,
                               inputTokens: inputTokens, outputTokens: outputTokens)
        event.cachedInputTokens = cachedInputTokens ?? 0
        event.reasoningTokens = reasoningTokens ?? 0
        event.user = user ?? ""
        event.team = team ?? ""
        event.feature = feature ?? ""
        event.reportedCost = reportedCost
        event.latencyMillis = latencyMillis
        event.timeToFirstTokenMillis = timeToFirstTokenMillis
        event.status = status ?? .ok
        event.requestID = requestID ?? ""
        event.attempt = attempt ?? 1
        event.reason = reason ?? .primary
        event.rule = rule ?? ""
        event.policyRevision = policyRevision ?? ""
        event.intent = intent ?? ""
        event.complexity = complexity
        event.confidence = confidence
        event.pii = pii
        event.contextTokens = contextTokens
        return .success(event)
    }

    private mutating func fail(_ error: FieldError) {
        if problem == nil { problem = error }
    }

    private mutating func text(_ name: String, _ value: JSONScalar) -> String? {
        guard case .string(let string) = value else {
            fail(.invalid(name, "must be a string, not \(value.kind)"))
            return nil
        }
        guard string.utf8.count <= Self.maximumTextLength else {
            fail(.invalid(name, "is longer than \(Self.maximumTextLength) bytes"))
            return nil
        }
        // Both backends keep the same text: PostgreSQL's cannot hold U+0000.
        guard !string.utf8.contains(0) else {
            fail(.invalid(name, "must not contain the NUL character (U+0000)"))
            return nil
        }
        return string
    }

    private mutating func count(_ name: String, _ value: JSONScalar) -> Int64? {
        guard case .number(let digits) = value else {
            fail(.invalid(name, "must be a whole number, not \(value.kind)"))
            return nil
        }
        guard let decimal = DecimalText.parse(digits), decimal.isWhole else {
            fail(.invalid(name, "must be a whole number"))
            return nil
        }
        guard let whole = decimal.scaled(toDecimals: 0), whole >= 0, whole <= UsageLimits.maximumTokens else {
            fail(.invalid(name, "must be between 0 and \(UsageLimits.maximumTokens)"))
            return nil
        }
        return whole
    }

    private mutating func money(_ name: String, _ value: JSONScalar) -> Money? {
        let parsed: DecimalText?
        switch value {
        case .number(let digits): parsed = DecimalText.parse(digits)
        case .string(let string): parsed = DecimalText.parse(Array(string.utf8))
        default:
            fail(.invalid(name, "must be a number or a decimal string, not \(value.kind)"))
            return nil
        }
        guard let parsed, let nanos = parsed.scaled(toDecimals: 9), nanos >= 0,
              nanos <= UsageLimits.maximumReportedCostUSD * Money.nanosPerDollar else {
            fail(.invalid(name, "must be a decimal amount between 0 and \(UsageLimits.maximumReportedCostUSD)"))
            return nil
        }
        return Money(nanos: nanos)
    }

    private mutating func milliseconds(_ name: String, _ value: JSONScalar) -> Int64? {
        guard case .number(let digits) = value, let decimal = DecimalText.parse(digits),
              let millis = decimal.scaled(toDecimals: 0), millis >= 0, millis <= UsageLimits.maximumMillis else {
            fail(.invalid(name, "must be a number of milliseconds between 0 and \(UsageLimits.maximumMillis)"))
            return nil
        }
        return millis
    }

    private mutating func fraction(_ name: String, _ value: JSONScalar) -> Double? {
        guard case .number(let digits) = value, let decimal = DecimalText.parse(digits),
              case let number = decimal.doubleValue, number >= 0, number <= 1 else {
            fail(.invalid(name, "must be a number from 0 to 1"))
            return nil
        }
        return number
    }

    private mutating func flag(_ name: String, _ value: JSONScalar) -> Bool? {
        guard case .bool(let bool) = value else {
            fail(.invalid(name, "must be true or false, not \(value.kind)"))
            return nil
        }
        return bool
    }

    private mutating func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _ value: JSONScalar) -> Choice?
    where Choice.RawValue == String {
        guard case .string(let string) = value, let choice = Choice(rawValue: string) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            fail(.invalid(name, "must be one of: \(allowed)"))
            return nil
        }
        return choice
    }
}
