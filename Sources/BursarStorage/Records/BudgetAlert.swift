import BursarCore

/// A budget that changed state, as recorded and sent to webhooks.
public struct BudgetAlert: Sendable, Equatable {
    public var id: Int64
    public var time: Int64
    public var budgetID: String
    public var fromState: String
    public var toState: String
    /// The alert as JSON text (what webhooks receive).
    public var document: String

    public init(id: Int64, time: Int64, budgetID: String, fromState: String, toState: String, document: String) {
        self.id = id
        self.time = time
        self.budgetID = budgetID
        self.fromState = fromState
        self.toState = toState
        self.document = document
    }
}
