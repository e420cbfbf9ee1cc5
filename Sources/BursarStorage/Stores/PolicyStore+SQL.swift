import BursarCore

/// Policy versions and which one is active; every change is audited.
extension SQLDatabase {
    /// Stores a policy (already validated) unless the same content is stored; optionally activates it.
    @discardableResult
    public func addPolicyVersion(_ policy: Policy, source: String, author: String, origin: String,
                                 activate: Bool) throws -> (version: PolicyVersion, created: Bool) {
        let revision = PolicyVersion.revision(of: policy)
        return try writing(announcing: .admin) { session in
            let created = try session.execute("""
                INSERT INTO policy_versions (revision, name, source, document, author, origin, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (revision) DO NOTHING
                """, [.text(revision), .text(policy.name), .text(source), .text(PolicyVersion.document(of: policy)), .text(author),
                      .text(origin), .integer(clock())]) == 1
            if created {
                try recordAudit(actor: author, action: "policy.create", target: "policies/\(revision)", before: nil, after: policy.json, session)
            }
            if activate { try self.activate(revision, actor: author, session) }
            guard let version = try Self.version(revision, session) else { throw PolicyError.notFound(revision) }
            return (version, created)
        }
    }

    public func activatePolicy(revision: String, actor: String, reason: String?) throws -> PolicyVersion {
        try writing(announcing: .admin) { session in
            guard try Self.version(revision, session) != nil else { throw PolicyError.notFound(revision) }
            try activate(revision, actor: actor, reason: reason, session)
            guard let version = try Self.version(revision, session) else { throw PolicyError.notFound(revision) }
            return version
        }
    }

    public func policyVersions() throws -> [PolicyVersion] {
        try reading { session in
            let active = try Self.activeRevision(session)
            return try session.rows("""
                SELECT \(Self.policyColumns) FROM policy_versions ORDER BY created_at DESC, revision\(session.dialect.bytewise)
                """).compactMap { try Self.version($0, active: active) }
        }
    }

    public func policyVersion(_ revision: String) throws -> PolicyVersion? {
        try reading { session in try Self.version(revision, session) }
    }

    public func activePolicy() throws -> PolicyVersion? {
        try reading { session in try Self.activePolicy(session) }
    }

    static func activePolicy(_ session: any SQLSession) throws -> PolicyVersion? {
        try activeRevision(session).flatMap { try version($0, session) }
    }

    func activate(_ revision: String, actor: String, reason: String? = nil, _ session: any SQLSession) throws {
        // The setting's row locked, so that two replicas activating at once audit both changes in order.
        try session.execute("INSERT INTO settings (name, value) VALUES ('active_policy', '') ON CONFLICT (name) DO NOTHING")
        let previous = try session.row("SELECT value FROM settings WHERE name = 'active_policy'\(session.dialect.forUpdate)")?
            .optionalText("value").flatMap { $0.isEmpty ? nil : $0 }
        guard previous != revision else { return }
        try session.execute("UPDATE settings SET value = ? WHERE name = 'active_policy'", [.text(revision)])
        let before = try previous.map { PolicyVersion.audited($0, name: try Self.version($0, session)?.policy.name) }
        let after = PolicyVersion.audited(revision, name: try Self.version(revision, session)?.policy.name, reason: reason)
        try recordAudit(actor: actor, action: "policy.activate", target: "policies/\(revision)", before: before, after: after, session)
    }

    /// The active policy's revision ('' stored before any was activated reads as none).
    static func activeRevision(_ session: any SQLSession) throws -> String? {
        try session.row("SELECT value FROM settings WHERE name = 'active_policy'")?.optionalText("value").flatMap { $0.isEmpty ? nil : $0 }
    }

    static var policyColumns: String { "revision, source, author, origin, created_at, document" }

    static func version(_ revision: String, _ session: any SQLSession) throws -> PolicyVersion? {
        guard let row = try session.row("SELECT \(policyColumns) FROM policy_versions WHERE revision = ?", [.text(revision)]) else { return nil }
        return try version(row, active: try activeRevision(session))
    }

    /// Nil when the stored document no longer reads as a policy.
    static func version(_ row: SQLRow, active: String?) throws -> PolicyVersion? {
        let revision = try row.text("revision")
        return PolicyVersion(revision: revision, document: try row.text("document"), source: try row.text("source"),
                             author: try row.text("author"), origin: try row.text("origin"), createdAt: try row.integer("created_at"),
                             active: revision == active)
    }
}
