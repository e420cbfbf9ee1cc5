import BursarCore
import BursarStorage
import GRDB

/// Budget state changes and their alerts, in SQLite.
extension SQLiteDatabase {
    /// Records the budgets whose state differs from the last one recorded (a budget never
    /// seen before counts as having been ok), and returns the new alerts; in the same
    /// transaction, one delivery of each to each of `webhooks` (kept until it is delivered).
    public func recordStateChanges(_ statuses: [BudgetStatus], now: Int64, webhooks: [String]) throws -> [BudgetAlert] {
        try write { db in
            var alerts: [BudgetAlert] = []
            for status in statuses {
                let previous = try Row.fetchOne(db, sql: "SELECT to_state, period_start FROM alerts WHERE budget_id = ? ORDER BY id DESC LIMIT 1",
                                                arguments: [status.budget.id])
                let from = previous.map { $0[0] as String } ?? BudgetStatus.State.ok.rawValue
                guard from != status.state.rawValue else { continue }
                let text = try BudgetAlert.document(status, from: from, now: now)
                try db.execute(sql: """
                    INSERT INTO alerts (time, budget_id, from_state, to_state, period_start, document) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [now, status.budget.id, from, status.state.rawValue, status.periodStart, text])
                let alert = BudgetAlert(id: db.lastInsertedRowID, time: now, budgetID: status.budget.id, fromState: from,
                                        toState: status.state.rawValue, document: text)
                for url in webhooks { try Self.queueDelivery(of: alert, to: url, now: now, db) }
                alerts.append(alert)
            }
            return alerts
        }
    }

    /// Recorded alerts, newest first.
    public func alerts(budget: String?, from: Int64, to: Int64, limit: Int) throws -> [BudgetAlert] {
        try read { db in
            let sql = "SELECT id, time, budget_id, from_state, to_state, document FROM alerts WHERE time >= ? AND time < ?"
                + (budget == nil ? "" : " AND budget_id = ?") + " ORDER BY id DESC LIMIT ?"
            let arguments: StatementArguments = budget.map { [from, to, $0, limit] } ?? [from, to, limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                BudgetAlert(id: row[0], time: row[1], budgetID: row[2], fromState: row[3], toState: row[4], document: row[5])
            }
        }
    }
}
