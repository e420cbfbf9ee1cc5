import BursarCore
import BursarStorage

/// Budget status, recomputed from the rollups on every read (so a changed period or limit
/// never carries stale spend). The budgets themselves are stored once for both backends
/// (`BudgetStore+SQL`).
extension SQLiteDatabase {
    /// The budget's state in the period that contains `now`.
    public func budgetStatus(_ budget: Budget, now: Int64) throws -> BudgetStatus {
        try read { db in try SQLiteRollups(db: db).status(budget, now: now) }
    }

    /// Every budget's state at `now`, by id.
    public func budgetStatuses(now: Int64) throws -> [BudgetStatus] {
        try read { db in try budgets(SQLiteSession(db)).map { try SQLiteRollups(db: db).status($0, now: now) } }
    }
}
