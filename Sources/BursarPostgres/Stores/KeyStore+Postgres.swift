import BursarCore
import BursarStorage

/// API keys: created with a random secret shown once, stored only as its SHA-256.
extension PostgresDatabase {
    public func createKey(name: String, role: Role, sources: SourceGrant?, actor: String) throws -> String {
        try KeyError.check(name: name)
        let secret = KeySecret.make()
        let now = clock()
        try write(announcing: .admin) { connection in
            do {
                try connection.execute("INSERT INTO api_keys (name, role, secret_sha256, created_at, sources) VALUES ($1, $2, $3, $4, $5)",
                                       [.text(name), .text(role.rawValue), .bytes(KeySecret.digest(secret)), .integer(now),
                                        PostgresValue(sources?.text)])
            } catch let error as PostgresError where error.isUniqueViolation {
                throw KeyError.nameTaken(name)
            }
            try recordAudit(actor: actor, action: "key.create", target: "keys/\(name)", before: nil,
                            after: KeySecret.createdAudit(name: name, role: role, sources: sources), connection)
        }
        return secret
    }

    public func listKeys() throws -> [APIKey] {
        try read { connection in
            try connection.execute("SELECT id, name, role, created_at, revoked_at, sources FROM api_keys ORDER BY id").map(Self.key)
        }
    }

    public func revokeKey(name: String, actor: String) throws {
        let now = clock()
        try write(announcing: .admin) { connection in
            // The active admin keys locked first: a revocation running at once on another
            // replica waits, then sees this one's result, so the last admin key stays.
            let admins = try connection.execute("SELECT name FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id FOR UPDATE")
            let adminNames = try admins.map { try $0.text(0) }
            if adminNames == [name] { throw KeyError.lastAdminKey(name) }
            let revoked = try connection.execute("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
                                                 [.integer(now), .text(name)])
            if revoked.changed == 0 { throw KeyError.notFound(name) }
            try recordAudit(actor: actor, action: "key.revoke", target: "keys/\(name)",
                            before: KeySecret.activeAudit(name: name, true), after: KeySecret.activeAudit(name: name, false), connection)
        }
    }

    public func hasKeys() throws -> Bool {
        try read { connection in try connection.execute("SELECT EXISTS (SELECT 1 FROM api_keys)").first?.bool(0) ?? false }
    }

    /// The active key whose secret this is, or nil; the stored digest is compared to the
    /// presented one in constant time.
    public func authenticate(secret: String) throws -> APIKey? {
        let presented = KeySecret.digest(secret)
        return try read { connection in
            guard let row = try connection.execute("""
                SELECT id, name, role, created_at, revoked_at, sources, secret_sha256 FROM api_keys
                WHERE secret_sha256 = $1 AND revoked_at IS NULL
                """, [.bytes(presented)]).first,
                  KeySecret.constantTimeEqual(try row.bytes(6) ?? [], presented) else { return nil }
            return try Self.key(row)
        }
    }

    static func key(_ row: PostgresRows.Row) throws -> APIKey {
        let id = try row.integer(0)
        guard let role = Role(rawValue: try row.text(2)) else { throw PostgresError(.value, "api_keys row \(id) has an unknown role") }
        let sources = try row.string(5).map { text in
            guard let grant = SourceGrant(parsing: text) else { throw PostgresError(.value, "api_keys row \(id) has unreadable sources") }
            return grant
        }
        return APIKey(id: id, name: try row.text(1), role: role, createdAt: try row.integer(3), revokedAt: try row.int64(4), sources: sources)
    }
}
