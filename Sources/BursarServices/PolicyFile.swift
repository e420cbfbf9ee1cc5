import BursarCore
import BursarStorage
import Foundation
import Yams

/// Reads a policy from YAML, keeping the line of every field so that problems name it.
public struct PolicyFile {
    /// What reading a file gave: the policy when it could be built, and every problem.
    public struct Reading: Sendable {
        public var policy: Policy?
        public var problems: [PolicyProblem]
        public var lines: [String: Int]

        public var errors: [PolicyProblem] { problems.filter { $0.severity == .error } }
    }

    private var problems: [PolicyProblem] = []
    private var lines: [String: Int] = [:]

    /// The most values (mappings, sequences and scalars) a policy may hold once its YAML
    /// aliases are expanded: a few kilobytes of anchors and aliases cannot make reading it slow.
    public static let maximumValues = 100_000

    /// Parses `text`; validation runs when the structure was readable.
    public static func read(_ text: String, catalog: PriceCatalog? = nil) -> Reading {
        if let line = lineWithComplexKey(text) {
            return Reading(policy: nil, problems: [PolicyProblem(.error, field: "(file)",
                message: "a mapping key must be plain text, not an alias, a list or a mapping (aliases may stand for values)",
                line: line)], lines: [:])
        }
        var reader = PolicyFile()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return Reading(policy: nil, problems: [PolicyProblem(.error, field: "(file)", message: "not valid YAML: \(error)",
                                                                 line: Self.line(of: error))], lines: [:])
        } catch {
            return Reading(policy: nil, problems: [PolicyProblem(.error, field: "(file)", message: "not valid YAML: \(error)")], lines: [:])
        }
        guard let root, let mapping = root.mapping else {
            return Reading(policy: nil, problems: [PolicyProblem(.error, field: "(file)", message: "a policy is a YAML mapping", line: 1)], lines: [:])
        }
        var budget = maximumValues
        guard Self.fits(root, within: &budget) else {
            return Reading(policy: nil, problems: [PolicyProblem(.error, field: "(file)",
                message: "the policy holds more than \(maximumValues) values once its aliases are expanded", line: 1)], lines: [:])
        }
        let policy = reader.policy(mapping)
        var problems = reader.problems
        if let policy, problems.allSatisfy({ $0.severity != .error }) {
            problems += PolicyValidator(catalog: catalog).problems(in: policy, lines: reader.lines)
        }
        return Reading(policy: problems.contains { $0.severity == .error } ? nil : policy, problems: problems, lines: reader.lines)
    }

    /// What marks a mapping key that is not a plain scalar: an explicit key (`? x`), a flow
    /// collection as a key (`[*a]: v`, `{a: b}: v`), an alias as a key (`*a: v`).
    private static let complexKey = try? NSRegularExpression(
        pattern: #"(^\s*\?(\s|$))|([,{\[]\s*\?\s)|([\]}]\s*:(\s|$))|((^|[\s{\[,])\*[^\s,\[\]{}]+\s*:(\s|$))"#)

    /// The first line with a mapping key that is not a plain scalar, if any. Policies need
    /// none, and the YAML reader hashes every key while it composes, before any bound on
    /// values applies: a key standing for a large aliased node would cost its whole expansion.
    /// Quoted text and comments are not looked at.
    public static func lineWithComplexKey(_ text: String) -> Int? {
        guard let pattern = complexKey else { return nil }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains(":") || line.contains("?") {
            let bare = unquoted(line)
            if pattern.firstMatch(in: bare, range: NSRange(bare.startIndex..., in: bare)) != nil { return index + 1 }
        }
        return nil
    }

    /// A line without its quoted spans and its comment.
    static func unquoted(_ line: Substring) -> String {
        var bare = ""
        var quote: Character?
        var previous: Character = " "
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " || previous == "\t" {
                break
            } else {
                bare.append(character)
            }
            previous = character
        }
        return bare
    }

    /// Whether the tree, aliases expanded, has at most `budget` values; stops counting as soon
    /// as it has too many, so even an exponential alias bomb costs at most the budget.
    static func fits(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard fits(key, within: &budget), fits(value, within: &budget) else { return false }
            }
            return true
        case .sequence(let sequence):
            for element in sequence {
                guard fits(element, within: &budget) else { return false }
            }
            return true
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    // MARK: Structure

    private mutating func policy(_ root: Node.Mapping) -> Policy? {
        let fields = members(root, at: "", allowed: ["name", "description", "baseline_tier", "ladder", "default_tier", "tiers",
                                                    "rules", "escalation", "fallback", "circuit_breaker", "shadow"])
        let name = string(fields["name"], "name", required: true) ?? ""
        var tiers: [Policy.Tier] = []
        if let node = fields["tiers"] {
            if let mapping = node.mapping {
                for (key, value) in mapping {
                    guard let tierName = key.string else { continue }
                    if let tier = tier(tierName, value, "tiers.\(tierName)") { tiers.append(tier) }
                }
            } else {
                fail("tiers", "must map tier names to their models", node)
            }
        } else {
            fail("tiers", "is required", nil)
        }
        var policy = Policy(name: name, description: string(fields["description"], "description") ?? "",
                            baselineTier: string(fields["baseline_tier"], "baseline_tier") ?? "frontier",
                            ladder: strings(fields["ladder"], "ladder") ?? tiers.map(\.name),
                            defaultTier: string(fields["default_tier"], "default_tier", required: true) ?? "",
                            tiers: tiers)
        if let node = fields["rules"] {
            for (index, element) in sequence(node, "rules").enumerated() {
                if let rule = rule(element, "rules[\(index)]") { policy.rules.append(rule) }
            }
        }
        if let node = fields["escalation"] { policy.escalation = escalation(node, "escalation") }
        if let node = fields["fallback"] { policy.fallback = fallback(node, "fallback") }
        if let node = fields["circuit_breaker"] { policy.circuitBreaker = circuitBreaker(node, "circuit_breaker") }
        if let node = fields["shadow"] {
            for (index, element) in sequence(node, "shadow").enumerated() {
                if let shadow = shadow(element, "shadow[\(index)]") { policy.shadows.append(shadow) }
            }
        }
        return policy
    }

    private mutating func tier(_ name: String, _ node: Node, _ path: String) -> Policy.Tier? {
        guard let mapping = node.mapping else { fail(path, "must be a mapping with models", node); return nil }
        let fields = members(mapping, at: path, allowed: ["models", "latency_slo_ms", "max_context_tokens"])
        var models: [ModelKey] = []
        for (index, element) in sequence(fields["models"], "\(path).models").enumerated() {
            if let model = model(element, "\(path).models[\(index)]") { models.append(model) }
        }
        return Policy.Tier(name: name, models: models,
                           latencySLOMillis: integer(fields["latency_slo_ms"], "\(path).latency_slo_ms"),
                           maxContextTokens: integer(fields["max_context_tokens"], "\(path).max_context_tokens"))
    }

    private mutating func model(_ node: Node, _ path: String) -> ModelKey? {
        guard let mapping = node.mapping else { fail(path, "must be {provider: ..., model: ...}", node); return nil }
        let fields = members(mapping, at: path, allowed: ["provider", "model"])
        guard let provider = string(fields["provider"], "\(path).provider", required: true),
              let model = string(fields["model"], "\(path).model", required: true) else { return nil }
        return ModelKey(provider: provider, model: model)
    }

    private mutating func rule(_ node: Node, _ path: String) -> Policy.Rule? {
        guard let mapping = node.mapping else { fail(path, "must be a mapping with id, when and tier", node); return nil }
        let fields = members(mapping, at: path, allowed: ["id", "when", "tier", "lock"])
        var conditions = Policy.Conditions()
        if let when = fields["when"] {
            if let whenMapping = when.mapping {
                let when = members(whenMapping, at: "\(path).when", allowed: [
                    "intent", "complexity", "confidence", "pii", "keywords", "user", "team", "feature", "context_tokens"])
                conditions.intent = strings(when["intent"], "\(path).when.intent")
                conditions.complexity = range(when["complexity"], "\(path).when.complexity")
                conditions.confidence = range(when["confidence"], "\(path).when.confidence")
                conditions.pii = bool(when["pii"], "\(path).when.pii")
                conditions.keywords = strings(when["keywords"], "\(path).when.keywords")
                conditions.user = strings(when["user"], "\(path).when.user")
                conditions.team = strings(when["team"], "\(path).when.team")
                conditions.feature = strings(when["feature"], "\(path).when.feature")
                conditions.contextTokens = range(when["context_tokens"], "\(path).when.context_tokens")
            } else {
                fail("\(path).when", "must be a mapping of conditions", when)
            }
        }
        guard let id = string(fields["id"], "\(path).id", required: true),
              let tier = string(fields["tier"], "\(path).tier", required: true) else { return nil }
        return Policy.Rule(id: id, when: conditions, tier: tier, lock: bool(fields["lock"], "\(path).lock") ?? false)
    }

    private mutating func escalation(_ node: Node, _ path: String) -> Policy.Escalation {
        var escalation = Policy.Escalation()
        guard let mapping = node.mapping else { fail(path, "must be a mapping", node); return escalation }
        let fields = members(mapping, at: path, allowed: ["confidence_band", "on_invalid_output", "max_steps"])
        if let band = fields["confidence_band"] {
            let bounds = sequence(band, "\(path).confidence_band").compactMap { number($0, "\(path).confidence_band") }
            if bounds.count == 2, bounds[0] <= bounds[1] {
                escalation.confidenceBand = bounds[0]...bounds[1]
            } else {
                fail("\(path).confidence_band", "must be [low, high] with low <= high", band)
            }
        }
        if let action = choice(fields["on_invalid_output"], "\(path).on_invalid_output", as: Policy.Escalation.InvalidOutputAction.self) {
            escalation.onInvalidOutput = action
        }
        if let steps = integer(fields["max_steps"], "\(path).max_steps") { escalation.maxSteps = Int(steps) }
        return escalation
    }

    private mutating func fallback(_ node: Node, _ path: String) -> Policy.Fallback {
        var fallback = Policy.Fallback()
        guard let mapping = node.mapping else { fail(path, "must be a mapping", node); return fallback }
        let fields = members(mapping, at: path, allowed: ["on", "latency_guardrail"])
        if let triggers = strings(fields["on"], "\(path).on") { fallback.on = triggers }
        if let guardrail = bool(fields["latency_guardrail"], "\(path).latency_guardrail") { fallback.latencyGuardrail = guardrail }
        return fallback
    }

    private mutating func circuitBreaker(_ node: Node, _ path: String) -> Policy.CircuitBreaker {
        var breaker = Policy.CircuitBreaker()
        guard let mapping = node.mapping else { fail(path, "must be a mapping", node); return breaker }
        let fields = members(mapping, at: path, allowed: ["error_rate", "min_requests", "window_seconds", "cooldown_seconds", "when_open"])
        if let rate = number(fields["error_rate"], "\(path).error_rate") { breaker.errorRate = rate }
        if let value = integer(fields["min_requests"], "\(path).min_requests") { breaker.minRequests = Int(value) }
        if let value = integer(fields["window_seconds"], "\(path).window_seconds") { breaker.windowSeconds = Int(value) }
        if let value = integer(fields["cooldown_seconds"], "\(path).cooldown_seconds") { breaker.cooldownSeconds = Int(value) }
        if let value = choice(fields["when_open"], "\(path).when_open", as: Policy.CircuitBreaker.WhenOpen.self) { breaker.whenOpen = value }
        return breaker
    }

    private mutating func shadow(_ node: Node, _ path: String) -> Policy.Shadow? {
        guard let mapping = node.mapping else { fail(path, "must be {tier, model, sample}", node); return nil }
        let fields = members(mapping, at: path, allowed: ["tier", "model", "sample"])
        guard let tier = string(fields["tier"], "\(path).tier", required: true),
              let modelNode = fields["model"], let model = model(modelNode, "\(path).model"),
              let sample = number(fields["sample"], "\(path).sample") else {
            if fields["model"] == nil { fail("\(path).model", "is required", node) }
            return nil
        }
        return Policy.Shadow(tier: tier, model: model, sample: sample)
    }

    // MARK: Values

    /// The members of a mapping by name; unknown names are errors (a typo must not pass silently).
    private mutating func members(_ mapping: Node.Mapping, at path: String, allowed: [String]) -> [String: Node] {
        var fields: [String: Node] = [:]
        if let line = mapping.mark?.line, lines[path] == nil { lines[path] = line }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let field = path.isEmpty ? name : "\(path).\(name)"
            lines[field] = key.mark?.line
            if allowed.contains(name) {
                fields[name] = value
            } else {
                fail(field, "is not a known field here (\(allowed.joined(separator: ", ")))", key)
            }
        }
        return fields
    }

    private mutating func sequence(_ node: Node?, _ path: String) -> [Node] {
        guard let node else { return [] }
        guard let sequence = node.sequence else { fail(path, "must be a list", node); return [] }
        for (index, element) in sequence.enumerated() { lines["\(path)[\(index)]"] = element.mark?.line }
        return Array(sequence)
    }

    private mutating func string(_ node: Node?, _ path: String, required: Bool = false) -> String? {
        guard let node else {
            if required { fail(path, "is required", nil) }
            return nil
        }
        guard let scalar = node.scalar, !scalar.string.isEmpty else { fail(path, "must be a non-empty text", node); return nil }
        return scalar.string
    }

    /// A list of texts; a single text is a list of one.
    private mutating func strings(_ node: Node?, _ path: String) -> [String]? {
        guard let node else { return nil }
        if let scalar = node.scalar { return [scalar.string] }
        let values = sequence(node, path).compactMap { element -> String? in
            guard let scalar = element.scalar else { fail(path, "must hold texts", element); return nil }
            return scalar.string
        }
        return values
    }

    private mutating func number(_ node: Node?, _ path: String) -> Double? {
        guard let node else { return nil }
        guard let scalar = node.scalar, let value = Double(scalar.string) else { fail(path, "must be a number", node); return nil }
        return value
    }

    private mutating func integer(_ node: Node?, _ path: String) -> Int64? {
        guard let node else { return nil }
        guard let scalar = node.scalar, let value = Int64(scalar.string) else { fail(path, "must be a whole number", node); return nil }
        return value
    }

    private mutating func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard let scalar = node.scalar, let value = Bool(scalar.string.lowercased()) else {
            fail(path, "must be true or false", node)
            return nil
        }
        return value
    }

    private mutating func range(_ node: Node?, _ path: String) -> Policy.NumberRange? {
        guard let node else { return nil }
        guard let mapping = node.mapping else { fail(path, "must be {at_least: x} and/or {below: y}", node); return nil }
        let fields = members(mapping, at: path, allowed: ["at_least", "below"])
        let range = Policy.NumberRange(atLeast: number(fields["at_least"], "\(path).at_least"), below: number(fields["below"], "\(path).below"))
        if range.atLeast == nil, range.below == nil { fail(path, "needs at_least or below", node) }
        return range
    }

    private mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, as: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = Choice(rawValue: text) else {
            fail(path, "must be one of: \(Choice.allCases.map(\.rawValue).joined(separator: ", "))", node)
            return nil
        }
        return value
    }

    private mutating func fail(_ field: String, _ message: String, _ node: Node?) {
        problems.append(PolicyProblem(.error, field: field, message: message, line: node?.mark?.line ?? PolicyValidator.line(of: field, in: lines)))
    }
}
