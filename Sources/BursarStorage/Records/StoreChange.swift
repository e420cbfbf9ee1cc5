/// What kind of change was committed to a store (`ChangeFeed` tells of each).
public enum StoreChange: String, Sendable {
    /// New events were committed: budgets may have moved.
    case spend
    /// An admin change: keys, prices, policies, overrides or budgets.
    case admin
}
