import BursarCore
import BursarStorage

/// Budgets, stored and audited, with their status recomputed from the rollups on every read.
extension PostgresDatabase {
    @discardableResult
    public func putBudget(_ budget: Budget, actor: String) throws -> Bool {
        try write(announcing: .admin) { connection in
            try Self.lock("budgets/\(budget.id)", connection)
            let before = try self.budget(budget.id, connection)
            try connection.execute("""
                INSERT INTO budgets (id, definition, author, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, author = excluded.author, updated_at = excluded.updated_at
                """, [.text(budget.id), .text(budget.storedDefinition), .text(actor), .integer(clock())])
            try recordAudit(actor: actor, action: before == nil ? "budget.create" : "budget.update",
                            target: "budgets/\(budget.id)", before: before?.json, after: budget.json, connection)
            return before == nil
        }
    }

    public func deleteBudget(id: String, actor: String) throws -> Bool {
        try write(announcing: .admin) { connection in
            try Self.lock("budgets/\(id)", connection)
            guard let before = try budget(id, connection) else { return false }
            try connection.execute("DELETE FROM budgets WHERE id = $1", [.text(id)])
            try recordAudit(actor: actor, action: "budget.delete", target: "budgets/\(id)", before: before.json, after: nil, connection)
            return true
        }
    }

    public func budget(id: String) throws -> Budget? {
        try read { connection in try budget(id, connection) }
    }

    public func budgetStatus(_ budget: Budget, now: Int64) throws -> BudgetStatus {
        try read { connection in try PostgresRollups(connection: connection).status(budget, now: now) }
    }

    public func budgetStatuses(now: Int64) throws -> [BudgetStatus] {
        try read { connection in
            let rollups = PostgresRollups(connection: connection)
            return try connection.execute("SELECT id, definition FROM budgets ORDER BY id COLLATE \"C\"")
                .compactMap { Budget.stored(id: try $0.text(0), definition: try $0.text(1), now: clock()) }
                .map { try rollups.status($0, now: now) }
        }
    }

    func budget(_ id: String, _ connection: PostgresConnection) throws -> Budget? {
        guard let row = try connection.execute("SELECT definition FROM budgets WHERE id = $1", [.text(id)]).first
        else { return nil }
        return Budget.stored(id: id, definition: try row.text(0), now: clock())
    }
}
