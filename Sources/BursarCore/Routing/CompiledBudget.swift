/// An exceeded budget's scope, read out of its dictionary.
final class CompiledBudget: Sendable {
    let id: String
    let downgradeTo: Int?
    let who: Requester
    /// A tier index; -1 for a tier the policy does not have (never covered).
    let tier: Int?
    let model: String?
    let provider: String?
    let unmatchable: Bool

    init(_ budget: RoutingBundle.BudgetState, downgradeTo: Int?, tiers: [String: Int]) {
        id = budget.id
        self.downgradeTo = downgradeTo
        who = Requester(user: budget.scope[.user], team: budget.scope[.team], feature: budget.scope[.feature])
        tier = budget.scope[.tier].map { tiers[$0] ?? -1 }
        model = budget.scope[.model]
        provider = budget.scope[.provider]
        unmatchable = budget.scope.keys.contains { [.source, .status, .reason].contains($0) }
    }

    /// Whether the budget's scope covers the request on `tier` (whose primary model is `primary`).
    func covers(_ request: RoutingRequest, tier: Int, primary: ModelKey?) -> Bool {
        if unmatchable || !who.matches(request) { return false }
        if let wanted = self.tier, wanted != tier { return false }
        if let model, model != primary?.model { return false }
        if let provider, provider != primary?.provider { return false }
        return true
    }
}
