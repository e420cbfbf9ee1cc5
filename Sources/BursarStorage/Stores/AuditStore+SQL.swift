import BursarCore

/// The audit log: every admin change is written in the same transaction as the change
/// (`SQLDatabase.recordAudit`).
extension SQLDatabase {
    /// Entries in `[from, to)`, newest first; `target` matches exactly or as a prefix before '/'.
    public func auditEntries(from: Int64, to: Int64, target: String?, limit: Int) throws -> [AuditEntry] {
        try reading { session in
            var sql = "SELECT id, time, actor, action, target, before, after FROM audit_log WHERE time >= ? AND time < ?"
            var values: [SQLValue] = [.integer(from), .integer(to)]
            if let target {
                // A prefix compared as text (characters, as both backends count them): no
                // pattern characters to escape.
                let prefix = target + "/"
                sql += " AND (target = ? OR substr(target, 1, ?) = ?)"
                values += [.text(target), SQLValue(prefix.unicodeScalars.count), .text(prefix)]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            values.append(SQLValue(limit))
            return try session.rows(sql, values).map { row in
                AuditEntry(id: try row.integer("id"), time: try row.integer("time"), actor: try row.text("actor"),
                           action: try row.text("action"), target: try row.text("target"),
                           before: try row.optionalText("before"), after: try row.optionalText("after"))
            }
        }
    }
}
