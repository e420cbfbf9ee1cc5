import BursarCore
import BursarStorage

/// Budget status, recomputed from the rollups on every read. The budgets themselves are
/// stored once for both backends (`BudgetStore+SQL`).
extension PostgresDatabase {
    public func budgetStatus(_ budget: Budget, now: Int64) throws -> BudgetStatus {
        try read { connection in try PostgresRollups(connection: connection).status(budget, now: now) }
    }

    public func budgetStatuses(now: Int64) throws -> [BudgetStatus] {
        try read { connection in
            let rollups = PostgresRollups(connection: connection)
            return try budgets(PostgresSession(connection, replicas: replicas)).map { try rollups.status($0, now: now) }
        }
    }
}
