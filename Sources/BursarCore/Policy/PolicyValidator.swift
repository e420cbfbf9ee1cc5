/// Checks a policy as a whole: every tier it names exists, chains are not empty, numbers are
/// in range, rule ids are unique, no rule is shadowed by an earlier one that always matches,
/// and (as warnings) every model has a price.
public struct PolicyValidator: Sendable {
    public var catalog: PriceCatalog?

    public init(catalog: PriceCatalog? = nil) {
        self.catalog = catalog
    }

    /// Problems found, errors and warnings; `lines` maps field paths to file lines.
    public func problems(in policy: Policy, lines: [String: Int] = [:]) -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func report(_ severity: PolicyProblem.Severity, _ field: String, _ message: String) {
            problems.append(PolicyProblem(severity, field: field, message: message, line: Self.line(of: field, in: lines)))
        }
        let tierNames = Set(policy.tiers.map(\.name))
        let known = policy.tiers.map(\.name).joined(separator: ", ")
        func checkTier(_ name: String, _ field: String) {
            if !tierNames.contains(name) { report(.error, field, "unknown tier '\(name)' (tiers: \(known))") }
        }
        if policy.tiers.isEmpty { report(.error, "tiers", "a policy needs at least one tier") }
        var seenTiers: Set<String> = []
        for tier in policy.tiers {
            if !seenTiers.insert(tier.name).inserted { report(.error, "tiers.\(tier.name)", "tier '\(tier.name)' is defined twice") }
            if tier.models.isEmpty { report(.error, "tiers.\(tier.name).models", "the fallback chain is empty") }
            if let slo = tier.latencySLOMillis, !(1...UsageLimits.maximumMillis).contains(slo) {
                report(.error, "tiers.\(tier.name).latency_slo_ms", "must be from 1 to \(UsageLimits.maximumMillis)")
            }
            if let limit = tier.maxContextTokens, !(1...UsageLimits.maximumTokens).contains(limit) {
                report(.error, "tiers.\(tier.name).max_context_tokens", "must be from 1 to \(UsageLimits.maximumTokens)")
            }
            for (position, model) in tier.models.enumerated() where catalog.map({ !$0.contains(model) }) ?? false {
                report(.warning, "tiers.\(tier.name).models[\(position)]", "\(model) has no price in the catalog; its events will be unpriced")
            }
        }
        checkTier(policy.defaultTier, "default_tier")
        checkTier(policy.baselineTier, "baseline_tier")
        if policy.ladder.isEmpty { report(.error, "ladder", "the escalation ladder is empty") }
        for (index, name) in policy.ladder.enumerated() { checkTier(name, "ladder[\(index)]") }
        if Set(policy.ladder).count != policy.ladder.count { report(.error, "ladder", "a tier appears twice in the ladder") }

        if policy.rules.count > Self.maximumRules {
            report(.error, "rules", "a policy has at most \(Self.maximumRules) rules, not \(policy.rules.count)")
        }
        var ruleIDs: Set<String> = []
        var alwaysMatching: String?
        // The first rule with each set of conditions: one hash per rule, not a comparison with
        // every earlier rule (long keyword lists made that quadratic).
        var firstWithConditions: [Policy.Conditions: String] = [:]
        for (index, rule) in policy.rules.enumerated() {
            let field = "rules[\(index)]"
            if rule.id.isEmpty { report(.error, "\(field).id", "a rule needs an id") }
            if !ruleIDs.insert(rule.id).inserted { report(.error, "\(field).id", "duplicate rule id '\(rule.id)'") }
            checkTier(rule.tier, "\(field).tier")
            if let earlier = alwaysMatching {
                report(.error, "\(field)", "rule '\(rule.id)' can never match: rule '\(earlier)' before it matches every request")
            } else if let earlier = firstWithConditions[rule.when] {
                report(.error, "\(field)", "rule '\(rule.id)' can never match: rule '\(earlier)' before it has the same conditions")
            } else {
                firstWithConditions[rule.when] = rule.id
            }
            if rule.when.isEmpty, alwaysMatching == nil { alwaysMatching = rule.id }
            for (name, range) in [("complexity", rule.when.complexity), ("confidence", rule.when.confidence)] {
                guard let range else { continue }
                for bound in [range.atLeast, range.below].compactMap({ $0 }) where !(0...1).contains(bound) {
                    report(.error, "\(field).when.\(name)", "bounds must be between 0 and 1")
                }
            }
            if let range = rule.when.complexity ?? rule.when.confidence ?? rule.when.contextTokens,
               let low = range.atLeast, let high = range.below, low >= high {
                report(.error, "\(field).when", "at_least must be below 'below'")
            }
        }

        if let band = policy.escalation.confidenceBand, band.lowerBound < 0 || band.upperBound > 1 {
            report(.error, "escalation.confidence_band", "the band must lie between 0 and 1")
        }
        if !(0...10).contains(policy.escalation.maxSteps) { report(.error, "escalation.max_steps", "must be from 0 to 10") }
        for (index, trigger) in policy.fallback.on.enumerated() where !Policy.Fallback.triggers.contains(trigger) {
            report(.error, "fallback.on[\(index)]", "unknown trigger '\(trigger)' (\(Policy.Fallback.triggers.joined(separator: ", ")))")
        }
        let breaker = policy.circuitBreaker
        if !(0...1).contains(breaker.errorRate) { report(.error, "circuit_breaker.error_rate", "must be between 0 and 1") }
        if !(1...1_000_000).contains(breaker.minRequests) { report(.error, "circuit_breaker.min_requests", "must be from 1 to 1000000") }
        if !(1...Policy.CircuitBreaker.maximumWindowSeconds).contains(breaker.windowSeconds) {
            report(.error, "circuit_breaker.window_seconds", "must be from 1 to \(Policy.CircuitBreaker.maximumWindowSeconds)")
        }
        if !(0...86_400).contains(breaker.cooldownSeconds) { report(.error, "circuit_breaker.cooldown_seconds", "must be from 0 to 86400") }
        for (index, shadow) in policy.shadows.enumerated() {
            checkTier(shadow.tier, "shadow[\(index)].tier")
            if !(0...1).contains(shadow.sample) { report(.error, "shadow[\(index)].sample", "must be between 0 and 1") }
            if catalog.map({ !$0.contains(shadow.model) }) ?? false {
                report(.warning, "shadow[\(index)].model", "\(shadow.model) has no price in the catalog")
            }
        }
        return problems
    }

    /// Rules in one policy: with `PolicyFile.maximumValues` this bounds the work of validating
    /// and compiling a policy, whatever its aliases repeat.
    public static let maximumRules = 1_000

    /// The line of the field, or of its nearest parent that has one.
    public static func line(of field: String, in lines: [String: Int]) -> Int? {
        var path = field
        while true {
            if let line = lines[path] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = String(path[..<cut])
        }
    }
}
