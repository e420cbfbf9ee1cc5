import BursarCore

/// Overrides, stored and audited; expired ones drop out of `overrides(activeAt:)` by themselves.
extension SQLDatabase {
    /// Creates or replaces an override; returns whether it was new.
    @discardableResult
    public func putOverride(_ override: Override) throws -> Bool {
        try writing(announcing: .admin) { session in
            try session.lock("overrides/\(override.id)")
            let before = try Self.override(override.id, session)
            try session.execute("""
                INSERT INTO overrides (id, match_user, match_team, match_feature, effect, tier, expires_at, reason, author, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET match_user = excluded.match_user, match_team = excluded.match_team,
                    match_feature = excluded.match_feature, effect = excluded.effect, tier = excluded.tier,
                    expires_at = excluded.expires_at, reason = excluded.reason, author = excluded.author,
                    updated_at = excluded.updated_at
                """, [.text(override.id), SQLValue(override.match["user"]), SQLValue(override.match["team"]),
                      SQLValue(override.match["feature"]), .text(override.effect.rawValue), .text(override.tier),
                      SQLValue(override.expiresAt), .text(override.reason), .text(override.author), .integer(clock())])
            try recordAudit(actor: override.author, action: before == nil ? "override.create" : "override.update",
                            target: "overrides/\(override.id)", before: before?.json, after: override.json, session)
            return before == nil
        }
    }

    public func deleteOverride(id: String, actor: String) throws -> Bool {
        try writing(announcing: .admin) { session in
            try session.lock("overrides/\(id)")
            guard let before = try Self.override(id, session) else { return false }
            try session.execute("DELETE FROM overrides WHERE id = ?", [.text(id)])
            try recordAudit(actor: actor, action: "override.delete", target: "overrides/\(id)", before: before.json, after: nil, session)
            return true
        }
    }

    public func override(id: String) throws -> Override? {
        try reading { session in try Self.override(id, session) }
    }

    /// Overrides in force at `time` (or all, with `includeExpired`), by id.
    public func overrides(activeAt time: Int64, includeExpired: Bool) throws -> [Override] {
        try reading { session in try Self.overrides(activeAt: time, includeExpired: includeExpired, session) }
    }

    static func overrides(activeAt time: Int64, includeExpired: Bool, _ session: any SQLSession) throws -> [Override] {
        let order = " ORDER BY id\(session.dialect.bytewise)"
        let rows = includeExpired
            ? try session.rows("SELECT \(overrideColumns) FROM overrides" + order)
            : try session.rows("SELECT \(overrideColumns) FROM overrides WHERE expires_at IS NULL OR expires_at > ?" + order,
                               [.integer(time)])
        return try rows.map(override)
    }

    static var overrideColumns: String { "id, match_user, match_team, match_feature, effect, tier, expires_at, reason, author" }

    static func override(_ id: String, _ session: any SQLSession) throws -> Override? {
        try session.row("SELECT \(overrideColumns) FROM overrides WHERE id = ?", [.text(id)]).map(override)
    }

    static func override(_ row: SQLRow) throws -> Override {
        var match: [String: String] = [:]
        for name in Override.matchable {
            if let value = try row.optionalText("match_\(name)") { match[name] = value }
        }
        return Override(id: try row.text("id"), match: match, effect: Override.Effect(rawValue: try row.text("effect")) ?? .forceTier,
                        tier: try row.text("tier"), expiresAt: try row.optionalInteger("expires_at"), reason: try row.text("reason"),
                        author: try row.text("author"))
    }
}
