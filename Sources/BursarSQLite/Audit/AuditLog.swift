import BursarCore
import BursarStorage
import Foundation
import GRDB

/// The audit log: every admin change is written in the same transaction as the change.
extension SQLiteDatabase {
    func recordAudit(actor: String, action: String, target: String, before: JSONValue?, after: JSONValue?,
                            _ db: Database) throws {
        try db.execute(sql: "INSERT INTO audit_log (time, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [clock(), actor, action, target, JSONValue.auditText(before), JSONValue.auditText(after)])
    }

    /// Entries in `[from, to)`, newest first; `target` matches exactly or as a prefix before '/'.
    public func auditEntries(from: Int64, to: Int64, target: String?, limit: Int) throws -> [AuditEntry] {
        try read { db in
            var sql = "SELECT id, time, actor, action, target, before, after FROM audit_log WHERE time >= ? AND time < ?"
            var arguments: [any DatabaseValueConvertible] = [from, to]
            if let target {
                sql += " AND (target = ? OR target LIKE ? ESCAPE '\\')"
                let escaped = target.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                arguments += [target, escaped + "/%"]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                AuditEntry(id: row[0], time: row[1], actor: row[2], action: row[3], target: row[4], before: row[5], after: row[6])
            }
        }
    }
}
