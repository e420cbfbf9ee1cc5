import BursarCore
import BursarStorage

/// Policy versions and which one is active; every change is audited.
extension PostgresDatabase {
    @discardableResult
    public func addPolicyVersion(_ policy: Policy, source: String, author: String, origin: String,
                                 activate: Bool) throws -> (version: PolicyVersion, created: Bool) {
        let revision = PolicyVersion.revision(of: policy)
        return try write(announcing: .admin) { connection in
            let created = try connection.execute("""
                INSERT INTO policy_versions (revision, name, source, document, author, origin, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (revision) DO NOTHING
                """, [.text(revision), .text(policy.name), .text(source), .text(PolicyVersion.document(of: policy)), .text(author),
                      .text(origin), .integer(clock())]).changed == 1
            if created {
                try recordAudit(actor: author, action: "policy.create", target: "policies/\(revision)", before: nil, after: policy.json, connection)
            }
            if activate { try self.activate(revision, actor: author, connection) }
            guard let version = try Self.version(revision, connection) else { throw PolicyError.notFound(revision) }
            return (version, created)
        }
    }

    public func activatePolicy(revision: String, actor: String, reason: String?) throws -> PolicyVersion {
        try write(announcing: .admin) { connection in
            guard try Self.version(revision, connection) != nil else { throw PolicyError.notFound(revision) }
            try activate(revision, actor: actor, reason: reason, connection)
            guard let version = try Self.version(revision, connection) else { throw PolicyError.notFound(revision) }
            return version
        }
    }

    public func policyVersions() throws -> [PolicyVersion] {
        try read { connection in
            let active = try Self.activeRevision(connection)
            return try connection.execute("SELECT revision, source, author, origin, created_at, document FROM policy_versions ORDER BY created_at DESC, revision COLLATE \"C\"")
                .compactMap { try Self.version($0, active: active) }
        }
    }

    public func policyVersion(_ revision: String) throws -> PolicyVersion? {
        try read { connection in try Self.version(revision, connection) }
    }

    public func activePolicy() throws -> PolicyVersion? {
        try read { connection in try Self.activeRevision(connection).flatMap { try Self.version($0, connection) } }
    }

    func activate(_ revision: String, actor: String, reason: String? = nil, _ connection: PostgresConnection) throws {
        // The active row locked, so that two replicas activating at once audit both changes in order.
        try connection.execute("INSERT INTO settings (name, value) VALUES ('active_policy', '') ON CONFLICT (name) DO NOTHING")
        let previous = try connection.execute("SELECT value FROM settings WHERE name = 'active_policy' FOR UPDATE").first?.string(0)
            .flatMap { $0.isEmpty ? nil : $0 }
        guard previous != revision else { return }
        try connection.execute("UPDATE settings SET value = $1 WHERE name = 'active_policy'", [.text(revision)])
        let before = try previous.map { PolicyVersion.audited($0, name: try Self.version($0, connection)?.policy.name) }
        let after = PolicyVersion.audited(revision, name: try Self.version(revision, connection)?.policy.name, reason: reason)
        try recordAudit(actor: actor, action: "policy.activate", target: "policies/\(revision)", before: before, after: after, connection)
    }

    static func activeRevision(_ connection: PostgresConnection) throws -> String? {
        try connection.execute("SELECT value FROM settings WHERE name = 'active_policy'").first?.string(0).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func version(_ revision: String, _ connection: PostgresConnection) throws -> PolicyVersion? {
        guard let row = try connection.execute("SELECT revision, source, author, origin, created_at, document FROM policy_versions WHERE revision = $1",
                                               [.text(revision)]).first else { return nil }
        return try version(row, active: try activeRevision(connection))
    }

    static func version(_ row: PostgresRows.Row, active: String?) throws -> PolicyVersion? {
        let revision = try row.text(0)
        return PolicyVersion(revision: revision, document: try row.text(5), source: try row.text(1), author: try row.text(2),
                             origin: try row.text(3), createdAt: try row.integer(4), active: revision == active)
    }
}
