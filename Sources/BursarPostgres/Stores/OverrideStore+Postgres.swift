import BursarCore
import BursarStorage

/// Overrides, stored and audited; expired ones drop out of `overrides(activeAt:)` by themselves.
extension PostgresDatabase {
    @discardableResult
    public func putOverride(_ override: Override) throws -> Bool {
        try write(announcing: .admin) { connection in
            try Self.lock("overrides/\(override.id)", connection)
            let before = try Self.override(override.id, connection)
            try connection.execute("""
                INSERT INTO overrides (id, match_user, match_team, match_feature, effect, tier, expires_at, reason, author, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (id) DO UPDATE SET match_user = excluded.match_user, match_team = excluded.match_team,
                    match_feature = excluded.match_feature, effect = excluded.effect, tier = excluded.tier,
                    expires_at = excluded.expires_at, reason = excluded.reason, author = excluded.author,
                    updated_at = excluded.updated_at
                """, [.text(override.id), PostgresValue(override.match["user"]), PostgresValue(override.match["team"]),
                      PostgresValue(override.match["feature"]), .text(override.effect.rawValue), .text(override.tier),
                      PostgresValue(override.expiresAt), .text(override.reason), .text(override.author), .integer(clock())])
            try recordAudit(actor: override.author, action: before == nil ? "override.create" : "override.update",
                            target: "overrides/\(override.id)", before: before?.json, after: override.json, connection)
            return before == nil
        }
    }

    public func deleteOverride(id: String, actor: String) throws -> Bool {
        try write(announcing: .admin) { connection in
            try Self.lock("overrides/\(id)", connection)
            guard let before = try Self.override(id, connection) else { return false }
            try connection.execute("DELETE FROM overrides WHERE id = $1", [.text(id)])
            try recordAudit(actor: actor, action: "override.delete", target: "overrides/\(id)", before: before.json, after: nil, connection)
            return true
        }
    }

    public func override(id: String) throws -> Override? {
        try read { connection in try Self.override(id, connection) }
    }

    public func overrides(activeAt time: Int64, includeExpired: Bool) throws -> [Override] {
        try read { connection in
            let rows = includeExpired
                ? try connection.execute("SELECT \(Self.overrideColumns) FROM overrides ORDER BY id COLLATE \"C\"")
                : try connection.execute("SELECT \(Self.overrideColumns) FROM overrides WHERE expires_at IS NULL OR expires_at > $1 ORDER BY id COLLATE \"C\"",
                                         [.integer(time)])
            return try rows.map(Self.override)
        }
    }

    static let overrideColumns = "id, match_user, match_team, match_feature, effect, tier, expires_at, reason, author"

    static func override(_ id: String, _ connection: PostgresConnection) throws -> Override? {
        try connection.execute("SELECT \(overrideColumns) FROM overrides WHERE id = $1", [.text(id)])
            .first.map(override)
    }

    static func override(_ row: PostgresRows.Row) throws -> Override {
        var match: [String: String] = [:]
        for (offset, name) in Override.matchable.enumerated() {
            if let value = row.string(1 + offset) { match[name] = value }
        }
        return Override(id: try row.text(0), match: match, effect: Override.Effect(rawValue: try row.text(4)) ?? .forceTier,
                        tier: try row.text(5), expiresAt: try row.int64(6), reason: try row.text(7), author: try row.text(8))
    }
}
