/// Decides where requests go under one bundle: the same code in the server (`/v1/decide`,
/// simulation) and in routers (the SDK).
///
/// Precedence, strongest first: an exceeded budget that blocks; an override (force, at least,
/// at most); an exceeded budget that downgrades; the first matching rule; the default tier.
/// A locked rule's tier is never moved by overrides or downgrades (it can still be blocked).
/// Built once per bundle; deciding reads only precomputed tables.
public struct PolicyEngine: Sendable {
    public let policy: Policy
    public let revision: String
    private let tierIndex: [String: Int]
    private let ladderIndex: [String: Int]
    private let rules: [CompiledRule]
    private let overrides: [Override]
    private let downgrades: [RoutingBundle.BudgetState]
    private let blocks: [RoutingBundle.BudgetState]

    public init(policy: Policy, revision: String, overrides: [Override] = [], budgets: [RoutingBundle.BudgetState] = []) {
        self.policy = policy
        self.revision = revision
        tierIndex = Dictionary(policy.tiers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        ladderIndex = Dictionary(policy.ladder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        rules = policy.rules.map(CompiledRule.init)
        // Most specific first, so that a user's override wins over their team's.
        self.overrides = overrides.enumerated().sorted { a, b in
            a.element.match.count != b.element.match.count ? a.element.match.count > b.element.match.count : a.offset < b.offset
        }.map(\.element)
        let exceeded = budgets.filter { $0.state == .exceeded }
        downgrades = exceeded.filter { $0.action == .downgrade }
        blocks = exceeded.filter { $0.action == .block }
    }

    /// The engine for a bundle; nil when the bundle has no active policy.
    public init?(bundle: RoutingBundle) {
        guard let policy = bundle.policy else { return nil }
        self.init(policy: policy, revision: bundle.revision, overrides: bundle.overrides, budgets: bundle.budgets)
    }

    /// Where `request` goes at `now` (epoch milliseconds; overrides past their expiry are skipped).
    public func decide(_ request: RoutingRequest, now: Int64) -> RoutingDecision {
        var ruleIndex: Int?
        for index in rules.indices where rules[index].matches(request) {
            ruleIndex = index
            break
        }
        let rule = ruleIndex.map { rules[$0] }
        var tier = rule?.tier ?? policy.defaultTier
        let locked = rule?.lock ?? false
        var decision = RoutingDecision(tier: tier, models: [], rule: rule?.id, locked: locked, revision: revision)

        if !locked, let tokens = request.contextTokens, let roomier = tierFitting(tokens, from: tier), roomier != tier {
            decision.contextClimbedFrom = tier
            tier = roomier
        }
        if let budget = downgrades.first(where: { $0.downgradeTo.map(hasTier) == true && applies($0, to: request, tier: tier) }),
           let target = budget.downgradeTo, target != tier {
            if locked {
                decision.heldByLock = "budget \(budget.id)"
            } else {
                decision.downgrade = (budget.id, tier)
                tier = target
            }
        }
        if let (override, target) = overrideTarget(for: request, tier: tier, now: now), target != tier {
            if locked {
                decision.heldByLock = decision.heldByLock ?? "override \(override.id)"
            } else {
                decision.override = (override.id, override.effect, tier)
                tier = target
            }
        }
        if let budget = blocks.first(where: { applies($0, to: request, tier: tier) }) {
            decision.blocked = true
            decision.blockedBy = budget.id
        }
        decision.tier = tier
        decision.models = tierIndex[tier].map { policy.tiers[$0].models } ?? []
        return decision
    }

    public func hasTier(_ name: String) -> Bool { tierIndex[name] != nil }

    public func tier(named name: String) -> Policy.Tier? { tierIndex[name].map { policy.tiers[$0] } }

    /// The next tier up the ladder, or nil at the top or off the ladder (a secure tier).
    public func tier(above name: String) -> String? {
        guard let position = ladderIndex[name], position + 1 < policy.ladder.count else { return nil }
        return policy.ladder[position + 1]
    }

    /// The next tier down the ladder, or nil at the bottom or off the ladder.
    public func tier(below name: String) -> String? {
        guard let position = ladderIndex[name], position > 0 else { return nil }
        return policy.ladder[position - 1]
    }

    // MARK: - Steps

    /// The first tier from `tier` up the ladder whose context window holds `tokens`.
    private func tierFitting(_ tokens: Int64, from tier: String) -> String? {
        var candidate: String? = tier
        while let name = candidate {
            guard let limit = self.tier(named: name)?.maxContextTokens, tokens > limit else { return name }
            candidate = self.tier(above: name)
        }
        return nil
    }

    /// Whether a budget's scope covers the request on `tier`.
    private func applies(_ budget: RoutingBundle.BudgetState, to request: RoutingRequest, tier: String) -> Bool {
        for (dimension, value) in budget.scope {
            let actual: String
            switch dimension {
            case .user: actual = request.user
            case .team: actual = request.team
            case .feature: actual = request.feature
            case .tier: actual = tier
            case .model: actual = self.tier(named: tier)?.models.first?.model ?? ""
            case .provider: actual = self.tier(named: tier)?.models.first?.provider ?? ""
            case .source, .status, .reason: return false
            }
            if actual != value { return false }
        }
        return true
    }

    /// The tier the matching overrides set: the most specific `force_tier`, else the tier
    /// raised by every `min_tier` and capped by every `max_tier` (on the ladder).
    private func overrideTarget(for request: RoutingRequest, tier: String, now: Int64) -> (Override, String)? {
        var result: (Override, String)?
        var current = tier
        for override in overrides where override.isActive(at: now) && hasTier(override.tier) && matches(override, request) {
            switch override.effect {
            case .forceTier:
                return (override, override.tier)
            case .minTier:
                if let have = ladderIndex[current], let want = ladderIndex[override.tier], want > have {
                    current = override.tier
                    result = (override, current)
                }
            case .maxTier:
                if let have = ladderIndex[current], let limit = ladderIndex[override.tier], limit < have {
                    current = override.tier
                    result = (override, current)
                }
            }
        }
        return result
    }

    private func matches(_ override: Override, _ request: RoutingRequest) -> Bool {
        for (name, value) in override.match {
            let actual = switch name {
            case "user": request.user
            case "team": request.team
            case "feature": request.feature
            default: "\u{0}"
            }
            if actual != value { return false }
        }
        return true
    }
}

/// A rule with its lists turned into sets for matching.
struct CompiledRule: Sendable {
    let id: String
    let tier: String
    let lock: Bool
    let intent: Set<String>?
    let user: Set<String>?
    let team: Set<String>?
    let feature: Set<String>?
    let keywords: Set<String>?
    let complexity: Policy.NumberRange?
    let confidence: Policy.NumberRange?
    let contextTokens: Policy.NumberRange?
    let pii: Bool?

    init(_ rule: Policy.Rule) {
        id = rule.id
        tier = rule.tier
        lock = rule.lock
        intent = rule.when.intent.map(Set.init)
        user = rule.when.user.map(Set.init)
        team = rule.when.team.map(Set.init)
        feature = rule.when.feature.map(Set.init)
        keywords = rule.when.keywords.map { Set($0.map { $0.lowercased() }) }
        complexity = rule.when.complexity
        confidence = rule.when.confidence
        contextTokens = rule.when.contextTokens
        pii = rule.when.pii
    }

    /// Every condition holds; a numeric condition needs the request to have that number.
    func matches(_ request: RoutingRequest) -> Bool {
        if let pii, pii != request.pii { return false }
        if let intent, !intent.contains(request.intent) { return false }
        if let team, !team.contains(request.team) { return false }
        if let user, !user.contains(request.user) { return false }
        if let feature, !feature.contains(request.feature) { return false }
        if let complexity {
            guard let value = request.complexity, complexity.contains(value) else { return false }
        }
        if let confidence {
            guard let value = request.confidence, confidence.contains(value) else { return false }
        }
        if let contextTokens {
            guard let value = request.contextTokens, contextTokens.contains(Double(value)) else { return false }
        }
        if let keywords, !request.keywords.contains(where: keywords.contains) { return false }
        return true
    }
}
