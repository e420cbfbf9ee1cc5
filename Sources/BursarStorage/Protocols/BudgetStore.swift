import BursarCore

/// Budgets, and their status recomputed from the rollups on every read (in the budget's time
/// zone, so a calendar period follows DST); every change audited.
public protocol BudgetStore: Sendable {
    /// Creates or replaces; true when it was created.
    @discardableResult
    func putBudget(_ budget: Budget, actor: String) throws -> Bool
    @discardableResult
    func deleteBudget(id: String, actor: String) throws -> Bool
    func budget(id: String) throws -> Budget?
    func budgetStatus(_ budget: Budget, now: Int64) throws -> BudgetStatus
    func budgetStatuses(now: Int64) throws -> [BudgetStatus]
}
