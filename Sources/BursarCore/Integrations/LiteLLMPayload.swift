import Foundation

/// LiteLLM's `StandardLoggingPayload` (what its `generic_api` logger posts) as a Bursar event,
/// in Bursar's own JSON form so that it is validated like any other event.
///
/// - id: the payload's `id` (Bursar drops a repeat of it); time: `startTime`; latency:
///   `endTime − startTime`; request id: `trace_id` (shared by a request's fallbacks).
/// - provider: `custom_llm_provider`; model: `model` without its `provider/` prefix.
/// - tier: `requester_metadata.tier`, else the `model_group` when the active policy has a tier
///   of that name, else the tier whose chain lists the model, else `unassigned`.
/// - tokens: `prompt_tokens`, `completion_tokens`, cached and reasoning tokens from the usage
///   details; a cache hit (`cache_hit`) counts no tokens and no cost.
/// - cost: `response_cost`, kept as the router reported it (the catalog price wins when the
///   model has one).
/// - user: `metadata.user_api_key_end_user_id`, else `end_user`, else the request's `user`;
///   team: `metadata.user_api_key_team_alias` or `requester_metadata.team`; feature:
///   `requester_metadata.feature` or `spend_logs_metadata.feature`.
/// - status: `success` is ok; a failure is `rate_limited` (429), `timeout` (408) or `error`;
///   a call made after a fallback (`x-litellm-attempted-fallbacks` > 0) has reason `fallback`.
public enum LiteLLMPayload {
    public static func event(_ payload: JSONValue, tiers: ModelTierMap, policyTiers: Set<String>) -> JSONValue {
        let metadata = payload[member: "metadata"] ?? .null
        let requester = metadata[member: "requester_metadata"] ?? .null
        let spendLogs = metadata[member: "spend_logs_metadata"] ?? .null
        func text(_ values: JSONValue?...) -> String? {
            for value in values { if let text = value?.stringValue, !text.isEmpty { return text } }
            return nil
        }
        let provider = text(payload[member: "custom_llm_provider"]) ?? ""
        var model = text(payload[member: "model"], payload[member: "hidden_params"]?[member: "litellm_model_name"]) ?? ""
        if !provider.isEmpty, model.hasPrefix(provider + "/") { model.removeFirst(provider.count + 1) }
        let group = text(payload[member: "model_group"])
        let tier = text(requester[member: "tier"]) ?? group.flatMap { policyTiers.contains($0) ? $0 : nil }
            ?? tiers.tier(provider: provider, model: model) ?? ModelTierMap.unassigned
        let cacheHit = payload[member: "cache_hit"]?.boolValue == true
        let usage = metadata[member: "usage_object"] ?? .null
        func tokens(_ value: JSONValue?) -> JSONValue {
            cacheHit ? .integer(0) : (value.map { $0 == .null ? .integer(0) : $0 } ?? .integer(0))
        }
        let start = payload[member: "startTime"]?.numberValue
        let end = payload[member: "endTime"]?.numberValue
        var members: [(String, JSONValue)] = [
            ("id", payload[member: "id"] ?? .null),
            ("time", start.map { seconds in Self.millis(seconds).map { .string(Timestamp.format($0)) } ?? .string(String(seconds)) } ?? .null),
            ("provider", .string(provider)),
            ("model", .string(model)),
            ("tier", .string(tier)),
            ("input_tokens", tokens(payload[member: "prompt_tokens"])),
            ("output_tokens", tokens(payload[member: "completion_tokens"])),
        ]
        if !cacheHit {
            if let cached = usage[member: "prompt_tokens_details"]?[member: "cached_tokens"], cached != .null { members.append(("cached_input_tokens", cached)) }
            if let reasoning = usage[member: "completion_tokens_details"]?[member: "reasoning_tokens"], reasoning != .null {
                members.append(("reasoning_tokens", reasoning))
            }
        }
        if cacheHit {
            members.append(("cost_usd", "0"))
        } else if let cost = payload[member: "response_cost"]?.numberValue, cost.isFinite, cost >= 0 {
            members.append(("cost_usd", .string(String(format: "%.9f", cost))))
        }
        if let start, let end, end >= start {
            // A duration that is no whole number of milliseconds in 64 bits is passed on as it
            // is, for the event validator to refuse with the field named.
            members.append(("latency_ms", Self.millis(end - start).map(JSONValue.integer) ?? .string(String(end - start))))
        }
        if let user = text(metadata[member: "user_api_key_end_user_id"], payload[member: "end_user"],
                           payload[member: "model_parameters"]?[member: "user"], requester[member: "user"]) {
            members.append(("user", .string(user)))
        }
        if let team = text(metadata[member: "user_api_key_team_alias"], requester[member: "team"], metadata[member: "user_api_key_team_id"]) {
            members.append(("team", .string(team)))
        }
        if let feature = text(requester[member: "feature"], spendLogs[member: "feature"]) { members.append(("feature", .string(feature))) }
        if let trace = text(payload[member: "trace_id"]) { members.append(("request_id", .string(trace))) }
        if payload[member: "status"]?.stringValue == "failure" {
            let code = text(payload[member: "error_information"]?[member: "error_code"])
            members.append(("status", .string(code == "429" ? "rate_limited" : code == "408" ? "timeout" : "error")))
        }
        let fallbacks = payload[member: "hidden_params"]?[member: "additional_headers"]?[member: "x-litellm-attempted-fallbacks"]?.integerValue ?? 0
        if fallbacks > 0 {
            members.append(("reason", "fallback"))
            // A count with no next number is passed on as text, for the validator to name.
            let (attempt, overflow) = fallbacks.addingReportingOverflow(1)
            members.append(("attempt", overflow ? .string(String(fallbacks)) : .integer(attempt)))
        }
        return .object(members)
    }

    /// Seconds (LiteLLM's times are floating-point epoch seconds) as whole milliseconds, or nil
    /// when they are not finite or do not fit in 64 bits: never a trapping conversion.
    static func millis(_ seconds: Double) -> Int64? {
        Int64(exactly: (seconds * 1000).rounded())
    }

    /// The most one payload may decode into (an estimate in bytes, as `JSONValue.parse` counts).
    public static let maximumPayloadCost = 16 * 1024 * 1024

    /// Calls `visit` with each payload in a body: a JSON array, one object, or NDJSON (LiteLLM
    /// sends all three as `application/json`, by its `log_format`), and returns how many there
    /// were. Payloads are read one at a time, each bounded by `maximumPayloadCost`, and
    /// reading stops at payload `maximumCount + 1` (`batch_too_large`): a body never decodes
    /// into more than one payload's tree at once.
    @discardableResult
    public static func forEachPayload(in body: [UInt8], maximumCount: Int, _ visit: (JSONValue) -> Void) throws(FieldError) -> Int {
        var counter = PayloadCounter(maximum: maximumCount)
        do {
            switch body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            case UInt8(ascii: "["):
                try forEachElement(in: body, &counter, visit)
                return counter.count
            case UInt8(ascii: "{"):
                if let single = try singleObject(body) {
                    try counter.next()
                    visit(single)
                    return counter.count
                }
            case nil:
                return 0
            default:
                if (try? JSONValue.parse(body, maximumCost: maximumPayloadCost)) != nil {
                    throw FieldError(code: "invalid_body", message: "a LiteLLM log is a JSON array or object of StandardLoggingPayload")
                }
            }
        } catch let error as JSONSyntaxError {
            if error.isTooLarge { throw FieldError(code: "batch_too_large", message: error.message) }
            throw FieldError(code: "malformed_body", message: "the body is not valid JSON: \(error.message) at byte \(error.offset)")
        } catch let error as FieldError {
            throw error
        } catch {
            throw FieldError(code: "malformed_body", message: "\(error)")
        }
        return try forEachLine(in: body, &counter, visit)
    }

    private struct PayloadCounter {
        let maximum: Int
        var count = 0

        mutating func next() throws(JSONSyntaxError) {
            count += 1
            guard count <= maximum else { throw JSONSyntaxError(message: "more than \(maximum) payloads in one request; send smaller batches", offset: 0, isTooLarge: true) }
        }
    }

    private static func forEachElement(in body: [UInt8], _ counter: inout PayloadCounter, _ visit: (JSONValue) -> Void) throws(JSONSyntaxError) {
        try body.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in
            var scanner = JSONScanner(bytes)
            try scanner.readArray { scanner, _ throws(JSONSyntaxError) in
                try counter.next()
                visit(try JSONValue.read(from: &scanner, maximumCost: maximumPayloadCost))
            }
            guard scanner.peek() == nil else { throw JSONSyntaxError(message: "unexpected data after the JSON value", offset: scanner.position) }
        }
    }

    /// The body's one object, or nil when more follows it (NDJSON).
    private static func singleObject(_ body: [UInt8]) throws(JSONSyntaxError) -> JSONValue? {
        try body.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in
            var scanner = JSONScanner(bytes)
            let first: JSONValue
            do throws(JSONSyntaxError) {
                first = try JSONValue.read(from: &scanner, maximumCost: maximumPayloadCost)
            } catch {
                if error.isTooLarge { throw error }
                return nil
            }
            return scanner.peek() == nil ? first : nil
        }
    }

    /// NDJSON: one payload a line, blank lines skipped.
    private static func forEachLine(in body: [UInt8], _ counter: inout PayloadCounter, _ visit: (JSONValue) -> Void) throws(FieldError) -> Int {
        for (number, line) in body.split(separator: UInt8(ascii: "\n")).enumerated() {
            let trimmed = Array(line).filter { $0 != UInt8(ascii: "\r") }
            guard !trimmed.allSatisfy({ $0 == 32 || $0 == 9 }) else { continue }
            do {
                try counter.next()
                visit(try JSONValue.parse(trimmed, maximumCost: maximumPayloadCost))
            } catch {
                if error.isTooLarge { throw FieldError(code: "batch_too_large", message: "line \(number + 1): \(error.message)") }
                throw FieldError(code: "malformed_body", message: "line \(number + 1) is not valid JSON: \(error.message) at byte \(error.offset)")
            }
        }
        return counter.count
    }
}
