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
    /// Per tier (by index): name, chain, context window, place on the ladder, the next tier up.
    private let tierNames: [String]
    private let tierModels: [[ModelKey]]
    private let contextLimits: [Int64?]
    private let ladderPositions: [Int?]
    private let tiersAbove: [Int?]
    private let defaultTier: Int
    private let rules: [CompiledRule]
    private let overrides: [CompiledOverride]
    private let downgrades: [CompiledBudget]
    private let blocks: [CompiledBudget]

    public init(policy: Policy, revision: String, overrides: [Override] = [], budgets: [RoutingBundle.BudgetState] = []) {
        self.policy = policy
        self.revision = revision
        let tierIndex = Dictionary(policy.tiers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let ladderIndex = Dictionary(policy.ladder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.tierIndex = tierIndex
        self.ladderIndex = ladderIndex
        tierNames = policy.tiers.map(\.name)
        tierModels = policy.tiers.map(\.models)
        contextLimits = policy.tiers.map(\.maxContextTokens)
        ladderPositions = policy.tiers.map { ladderIndex[$0.name] }
        tiersAbove = policy.tiers.map { tier in
            ladderIndex[tier.name].flatMap { $0 + 1 < policy.ladder.count ? tierIndex[policy.ladder[$0 + 1]] : nil }
        }
        defaultTier = tierIndex[policy.defaultTier] ?? 0
        rules = policy.rules.compactMap { rule in tierIndex[rule.tier].map { CompiledRule(rule, tier: $0) } }
        // Most specific first, so that a user's override wins over their team's.
        self.overrides = overrides.enumerated().sorted { a, b in
            a.element.match.count != b.element.match.count ? a.element.match.count > b.element.match.count : a.offset < b.offset
        }.compactMap { entry in tierIndex[entry.element.tier].map { CompiledOverride(entry.element, tier: $0, ladder: ladderIndex[entry.element.tier]) } }
        let exceeded = budgets.filter { $0.state == .exceeded }
        downgrades = exceeded.filter { $0.action == .downgrade }.compactMap { budget in
            budget.downgradeTo.flatMap { tierIndex[$0] }.map { CompiledBudget(budget, downgradeTo: $0, tiers: tierIndex) }
        }
        blocks = exceeded.filter { $0.action == .block }.map { CompiledBudget($0, downgradeTo: nil, tiers: tierIndex) }
    }

    /// The engine for a bundle; nil when the bundle has no active policy.
    public init?(bundle: RoutingBundle) {
        guard let policy = bundle.policy else { return nil }
        self.init(policy: policy, revision: bundle.revision, overrides: bundle.overrides, budgets: bundle.budgets)
    }

    /// Where `request` goes at `now` (epoch milliseconds; overrides past their expiry are skipped).
    public func decide(_ request: RoutingRequest, now: Int64) -> RoutingDecision {
        var matched: CompiledRule?
        for rule in rules where rule.matches(request) {
            matched = rule
            break
        }
        let chosen = matched?.tier ?? defaultTier
        var tier = chosen
        let locked = matched?.lock ?? false
        var decision = RoutingDecision(tier: tierNames[chosen], models: [], rule: matched?.id, locked: locked, revision: revision)

        if !locked, let tokens = request.contextTokens, let limit = contextLimits[tier], tokens > limit {
            var candidate: Int? = tier
            while let index = candidate, let limit = contextLimits[index], tokens > limit { candidate = tiersAbove[index] }
            if let roomier = candidate {
                decision.contextClimbedFrom = tierNames[tier]
                tier = roomier
            }
        }
        for budget in downgrades where budget.covers(request, tier: tier, primary: tierModels[tier].first) {
            guard let target = budget.downgradeTo, target != tier else { break }
            if locked {
                decision.heldByLock = "budget \(budget.id)"
            } else {
                decision.downgrade = (budget.id, tierNames[tier])
                tier = target
            }
            break
        }
        if let (override, target) = overrideTarget(for: request, tier: tier, now: now), target != tier {
            if locked {
                decision.heldByLock = decision.heldByLock ?? "override \(override.id)"
            } else {
                decision.override = (override.id, override.effect, tierNames[tier])
                tier = target
            }
        }
        for budget in blocks where budget.covers(request, tier: tier, primary: tierModels[tier].first) {
            decision.blocked = true
            decision.blockedBy = budget.id
            break
        }
        if tier != chosen { decision.tier = tierNames[tier] }
        decision.models = tierModels[tier]
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

    /// The tier the matching overrides set: the most specific `force_tier`, else the tier
    /// raised by every `min_tier` and capped by every `max_tier` (on the ladder).
    private func overrideTarget(for request: RoutingRequest, tier: Int, now: Int64) -> (Override, Int)? {
        var result: (Override, Int)?
        var current = tier
        for override in overrides where override.matches(request) && override.source.isActive(at: now) {
            switch override.source.effect {
            case .forceTier:
                return (override.source, override.tier)
            case .minTier:
                if let have = ladderPositions[current], let want = override.ladderPosition, want > have {
                    current = override.tier
                    result = (override.source, current)
                }
            case .maxTier:
                if let have = ladderPositions[current], let limit = override.ladderPosition, limit < have {
                    current = override.tier
                    result = (override.source, current)
                }
            }
        }
        return result
    }
}
