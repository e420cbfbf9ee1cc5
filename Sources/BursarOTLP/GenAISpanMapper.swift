import BursarCore
import Foundation

/// Turns a span that carries OpenTelemetry's GenAI semantic-convention attributes into a
/// Bursar event (in Bursar's own JSON form, so that it is validated like any other event).
///
/// Read: `gen_ai.provider.name` (or the older `gen_ai.system`), `gen_ai.response.model` (else
/// `gen_ai.request.model`), `gen_ai.usage.input_tokens`, `output_tokens`,
/// `cache_read.input_tokens`, `reasoning.output_tokens`, `gen_ai.usage.cost` (as reported,
/// untrusted: the catalog price wins when there is one), `gen_ai.request.user` (else
/// `user.id`, `enduser.id`), `error.type` or an error status. `bursar.tier`, `bursar.team`,
/// `bursar.feature` and `bursar.user` set those directly; otherwise the tier comes from the
/// active policy's tier chains. The event id is `traceid-spanid`; the source is the resource's
/// `service.name` when it has one.
public struct GenAISpanMapper: Sendable {
    public let tiers: ModelTierMap

    public init(tiers: ModelTierMap) {
        self.tiers = tiers
    }

    /// Whether the span is a GenAI call at all (others are ignored, not rejected).
    public static func isGenAI(_ span: OTLPSpan) -> Bool {
        span.attributes["gen_ai.operation.name"] != nil || span.attributes["gen_ai.provider.name"] != nil
            || span.attributes["gen_ai.system"] != nil
    }

    public func event(_ span: OTLPSpan) -> JSONValue {
        let attributes = span.attributes
        func text(_ names: String...) -> String? {
            for name in names { if let value = attributes[name]?.text, !value.isEmpty { return value } }
            return nil
        }
        func integer(_ name: String) -> JSONValue? {
            guard let value = attributes[name] else { return nil }
            return value.integer.map(JSONValue.integer) ?? value.text.map(JSONValue.string) ?? .null
        }
        let provider = text("gen_ai.provider.name", "gen_ai.system") ?? ""
        let model = text("gen_ai.response.model", "gen_ai.request.model") ?? ""
        var members: [(String, JSONValue)] = [
            ("id", .string("\(span.traceID)-\(span.spanID)")),
            ("time", .string(Timestamp.format(Int64(span.startNanos / 1_000_000)))),
            ("provider", .string(provider)),
            ("model", .string(model)),
            ("tier", .string(text("bursar.tier") ?? tiers.tier(provider: provider, model: model) ?? ModelTierMap.unassigned)),
            ("input_tokens", integer("gen_ai.usage.input_tokens") ?? .null),
            ("output_tokens", integer("gen_ai.usage.output_tokens") ?? .null),
            ("request_id", .string(span.traceID)),
        ]
        if let service = span.resource["service.name"]?.text, !service.isEmpty { members.append(("source", .string(service))) }
        if let cached = integer("gen_ai.usage.cache_read.input_tokens") { members.append(("cached_input_tokens", cached)) }
        if let reasoning = integer("gen_ai.usage.reasoning.output_tokens") { members.append(("reasoning_tokens", reasoning)) }
        if let cost = attributes["gen_ai.usage.cost"] {
            switch cost {
            // Nine decimals, never exponent notation: Bursar reads money as exact decimals.
            case .double(let number) where number.isFinite: members.append(("cost_usd", .string(String(format: "%.9f", number))))
            case .int(let number): members.append(("cost_usd", .integer(number)))
            case .string(let number): members.append(("cost_usd", .string(number)))
            default: break
            }
        }
        if let user = text("bursar.user", "gen_ai.request.user", "user.id", "enduser.id") { members.append(("user", .string(user))) }
        if let team = text("bursar.team") { members.append(("team", .string(team))) }
        if let feature = text("bursar.feature", "gen_ai.agent.name") { members.append(("feature", .string(feature))) }
        if span.endNanos > span.startNanos { members.append(("latency_ms", .integer(Int64((span.endNanos - span.startNanos) / 1_000_000)))) }
        if text("error.type") != nil || span.statusCode == 2 {
            members.append(("status", .string(text("error.type") == "timeout" ? "timeout" : "error")))
        }
        return .object(members)
    }
}
