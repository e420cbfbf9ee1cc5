import BursarCore
import BursarStorage

extension PostgresDatabase {
    /// Entries in `[from, to)`, newest first; `target` matches exactly or as a prefix before '/'.
    public func auditEntries(from: Int64, to: Int64, target: String?, limit: Int) throws -> [AuditEntry] {
        try read { connection in
            var sql = "SELECT id, time, actor, action, target, before, after FROM audit_log WHERE time >= $1 AND time < $2"
            var parameters: [PostgresValue] = [.integer(from), .integer(to)]
            if let target {
                // A prefix compared as text: no pattern characters to escape.
                sql += " AND (target = $3 OR left(target, length($3) + 1) = $3 || '/')"
                parameters.append(.text(target))
            }
            sql += " ORDER BY id DESC LIMIT $\(parameters.count + 1)"
            parameters.append(PostgresValue(limit))
            return try connection.execute(sql, parameters).map { row in
                AuditEntry(id: try row.integer(0), time: try row.integer(1), actor: try row.text(2), action: try row.text(3),
                           target: try row.text(4), before: row.string(5), after: row.string(6))
            }
        }
    }
}
