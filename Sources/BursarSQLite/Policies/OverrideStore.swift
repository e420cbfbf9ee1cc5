import BursarCore
import BursarStorage
import GRDB

/// Overrides, stored and audited; expired ones drop out of `activeOverrides` by themselves.
extension SQLiteDatabase {
    /// Creates or replaces an override; returns whether it was new.
    @discardableResult
    public func putOverride(_ override: Override) throws -> Bool {
        try write(announcing: .admin) { db in
            let before = try Self.override(override.id, db)
            try db.execute(sql: """
                INSERT INTO overrides (id, match_user, match_team, match_feature, effect, tier, expires_at, reason, author, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET match_user = excluded.match_user, match_team = excluded.match_team,
                    match_feature = excluded.match_feature, effect = excluded.effect, tier = excluded.tier,
                    expires_at = excluded.expires_at, reason = excluded.reason, author = excluded.author,
                    updated_at = excluded.updated_at
                """, arguments: [override.id, override.match["user"], override.match["team"], override.match["feature"],
                                 override.effect.rawValue, override.tier, override.expiresAt, override.reason, override.author,
                                 clock()])
            try recordAudit(actor: override.author, action: before == nil ? "override.create" : "override.update",
                                 target: "overrides/\(override.id)", before: before?.json, after: override.json, db)
            return before == nil
        }
    }

    public func deleteOverride(id: String, actor: String) throws -> Bool {
        try write(announcing: .admin) { db in
            guard let before = try Self.override(id, db) else { return false }
            try db.execute(sql: "DELETE FROM overrides WHERE id = ?", arguments: [id])
            try recordAudit(actor: actor, action: "override.delete", target: "overrides/\(id)", before: before.json, after: nil, db)
            return true
        }
    }

    public func override(id: String) throws -> Override? {
        try read { db in try Self.override(id, db) }
    }

    /// Overrides in force at `time` (or all, with `includeExpired`), by id.
    public func overrides(activeAt time: Int64, includeExpired: Bool) throws -> [Override] {
        try read { db in
            let sql = "SELECT * FROM overrides" + (includeExpired ? "" : " WHERE expires_at IS NULL OR expires_at > ?") + " ORDER BY id"
            return try Row.fetchAll(db, sql: sql, arguments: includeExpired ? [] : [time]).map(Self.override)
        }
    }

    static func override(_ id: String, _ db: Database) throws -> Override? {
        try Row.fetchOne(db, sql: "SELECT * FROM overrides WHERE id = ?", arguments: [id]).map(override)
    }

    static func override(_ row: Row) -> Override {
        var match: [String: String] = [:]
        for name in Override.matchable {
            if let value = row["match_\(name)"] as String? { match[name] = value }
        }
        return Override(id: row["id"], match: match, effect: Override.Effect(rawValue: row["effect"]) ?? .forceTier,
                        tier: row["tier"], expiresAt: row["expires_at"], reason: row["reason"], author: row["author"])
    }
}
