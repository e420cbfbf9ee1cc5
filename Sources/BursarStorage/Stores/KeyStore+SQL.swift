import BursarCore

/// API keys: created with a random secret shown once, stored only as its SHA-256.
extension SQLDatabase {
    public func createKey(name: String, role: Role, sources: SourceGrant?, actor: String) throws -> String {
        try KeyError.check(name: name)
        let secret = KeySecret.make()
        let now = clock()
        try writing(announcing: .admin) { session in
            // The unique index on active names keeps a second active key of the same name out.
            let inserted = try session.execute("""
                INSERT INTO api_keys (name, role, secret_sha256, created_at, sources) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, [.text(name), .text(role.rawValue), .bytes(KeySecret.digest(secret)), .integer(now), SQLValue(sources?.text)])
            if inserted == 0 { throw KeyError.nameTaken(name) }
            try recordAudit(actor: actor, action: "key.create", target: "keys/\(name)", before: nil,
                            after: KeySecret.createdAudit(name: name, role: role, sources: sources), session)
        }
        return secret
    }

    public func listKeys() throws -> [APIKey] {
        try reading { session in
            try session.rows("SELECT \(Self.keyColumns) FROM api_keys ORDER BY id").map(Self.key)
        }
    }

    public func revokeKey(name: String, actor: String) throws {
        let now = clock()
        try writing(announcing: .admin) { session in
            // The active admin keys locked first: a revocation running at once (on another
            // replica) waits, then sees this one's result, so the last admin key stays.
            let admins = try session.rows("""
                SELECT name FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id\(session.dialect.forUpdate)
                """)
            if try admins.map({ try $0.text("name") }) == [name] { throw KeyError.lastAdminKey(name) }
            let revoked = try session.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                              [.integer(now), .text(name)])
            if revoked == 0 { throw KeyError.notFound(name) }
            try recordAudit(actor: actor, action: "key.revoke", target: "keys/\(name)",
                            before: KeySecret.activeAudit(name: name, true), after: KeySecret.activeAudit(name: name, false), session)
        }
    }

    public func hasKeys() throws -> Bool {
        try reading { session in try session.row("SELECT EXISTS (SELECT 1 FROM api_keys) AS found")?.bool("found") ?? false }
    }

    /// The active key whose secret this is, or nil.
    ///
    /// The lookup is by digest, and the stored digest is compared to the presented one in
    /// constant time, so timing tells nothing about the secret.
    public func authenticate(secret: String) throws -> APIKey? {
        let presented = KeySecret.digest(secret)
        return try reading { session in
            guard let row = try session.row("""
                SELECT \(Self.keyColumns), secret_sha256 FROM api_keys WHERE secret_sha256 = ? AND revoked_at IS NULL
                """, [.bytes(presented)]),
                KeySecret.constantTimeEqual(try row.bytes("secret_sha256") ?? [], presented) else { return nil }
            return try Self.key(row)
        }
    }

    static var keyColumns: String { "id, name, role, created_at, revoked_at, sources" }

    static func key(_ row: SQLRow) throws -> APIKey {
        let id = try row.integer("id")
        guard let role = Role(rawValue: try row.text("role")) else { throw SQLRowError(column: "role", problem: "of api_keys row \(id) is unknown") }
        let sources = try row.optionalText("sources").map { text in
            guard let grant = SourceGrant(parsing: text) else { throw SQLRowError(column: "sources", problem: "of api_keys row \(id) is unreadable") }
            return grant
        }
        return APIKey(id: id, name: try row.text("name"), role: role, createdAt: try row.integer("created_at"),
                      revokedAt: try row.optionalInteger("revoked_at"), sources: sources)
    }
}
