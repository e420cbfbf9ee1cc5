/// What another process changed in a shared store (PostgreSQL replicas tell each other).
public enum StoreChange: String, Sendable {
    /// New events were committed: budgets may have moved.
    case spend
    /// An admin change: keys, prices, policies, overrides or budgets.
    case admin
}
