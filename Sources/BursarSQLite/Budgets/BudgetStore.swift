import BursarCore
import BursarStorage
import Foundation
import GRDB

/// Budgets, stored and audited, with their status recomputed from rollups on every read
/// (so a changed period or limit never carries stale spend).
extension SQLiteDatabase {
    @discardableResult
    public func putBudget(_ budget: Budget, actor: String) throws -> Bool {
        try write(announcing: .admin) { db in
            let before = try self.budget(budget.id, db)
            try db.execute(sql: """
                INSERT INTO budgets (id, definition, author, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, author = excluded.author, updated_at = excluded.updated_at
                """, arguments: [budget.id, budget.storedDefinition, actor, clock()])
            try recordAudit(actor: actor, action: before == nil ? "budget.create" : "budget.update",
                                 target: "budgets/\(budget.id)", before: before?.json, after: budget.json, db)
            return before == nil
        }
    }

    public func deleteBudget(id: String, actor: String) throws -> Bool {
        try write(announcing: .admin) { db in
            guard let before = try budget(id, db) else { return false }
            try db.execute(sql: "DELETE FROM budgets WHERE id = ?", arguments: [id])
            try recordAudit(actor: actor, action: "budget.delete", target: "budgets/\(id)", before: before.json, after: nil, db)
            return true
        }
    }

    public func budget(id: String) throws -> Budget? {
        try read { db in try budget(id, db) }
    }

    /// The budget's state in the period that contains `now`.
    public func budgetStatus(_ budget: Budget, now: Int64) throws -> BudgetStatus {
        try read { db in try SQLiteRollups(db: db).status(budget, now: now) }
    }

    /// Every budget's state at `now`, by id.
    public func budgetStatuses(now: Int64) throws -> [BudgetStatus] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, definition FROM budgets ORDER BY id").compactMap { budget(row: $0) }
                .map { try SQLiteRollups(db: db).status($0, now: now) }
        }
    }

    func budget(_ id: String, _ db: Database) throws -> Budget? {
        try Row.fetchOne(db, sql: "SELECT id, definition FROM budgets WHERE id = ?", arguments: [id]).flatMap { budget(row: $0) }
    }

    func budget(row: Row) -> Budget? {
        Budget.stored(id: row[0], definition: row[1], now: clock())
    }
}
