import BursarCore

/// What a bundle carries, read in one snapshot: the active policy, the overrides in force and
/// every budget's status (`BundleStore.bundleContent`).
public struct BundleContent: Sendable {
    public var policy: PolicyVersion?
    public var overrides: [Override]
    public var budgets: [BudgetStatus]

    public init(policy: PolicyVersion?, overrides: [Override], budgets: [BudgetStatus]) {
        self.policy = policy
        self.overrides = overrides
        self.budgets = budgets
    }
}
