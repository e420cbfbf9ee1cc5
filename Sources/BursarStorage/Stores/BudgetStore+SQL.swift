import BursarCore

/// Budgets, stored and audited. Their status is each backend's own (a rollup read):
/// `BudgetStore+SQLite`, `BudgetStore+Postgres`.
extension SQLDatabase {
    @discardableResult
    public func putBudget(_ budget: Budget, actor: String) throws -> Bool {
        try writing(announcing: .admin) { session in
            try session.lock("budgets/\(budget.id)")
            let before = try self.budget(budget.id, session)
            try session.execute("""
                INSERT INTO budgets (id, definition, author, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, author = excluded.author, updated_at = excluded.updated_at
                """, [.text(budget.id), .text(budget.storedDefinition), .text(actor), .integer(clock())])
            try recordAudit(actor: actor, action: before == nil ? "budget.create" : "budget.update",
                            target: "budgets/\(budget.id)", before: before?.json, after: budget.json, session)
            return before == nil
        }
    }

    public func deleteBudget(id: String, actor: String) throws -> Bool {
        try writing(announcing: .admin) { session in
            try session.lock("budgets/\(id)")
            guard let before = try budget(id, session) else { return false }
            try session.execute("DELETE FROM budgets WHERE id = ?", [.text(id)])
            try recordAudit(actor: actor, action: "budget.delete", target: "budgets/\(id)", before: before.json, after: nil, session)
            return true
        }
    }

    public func budget(id: String) throws -> Budget? {
        try reading { session in try budget(id, session) }
    }

    /// Every stored budget that still reads, by id.
    package func budgets(_ session: any SQLSession) throws -> [Budget] {
        try session.rows("SELECT id, definition FROM budgets ORDER BY id\(session.dialect.bytewise)").compactMap(budget(row:))
    }

    func budget(_ id: String, _ session: any SQLSession) throws -> Budget? {
        try session.row("SELECT id, definition FROM budgets WHERE id = ?", [.text(id)]).flatMap(budget(row:))
    }

    func budget(row: SQLRow) throws -> Budget? {
        Budget.stored(id: try row.text("id"), definition: try row.text("definition"), now: clock())
    }
}
