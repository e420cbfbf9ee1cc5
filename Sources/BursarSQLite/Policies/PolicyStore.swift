import BursarCore
import BursarStorage
import Foundation
import GRDB

/// Policy versions and which one is active; every change is audited.
extension SQLiteDatabase {
    /// Stores a policy (already validated) unless the same content is stored; optionally activates it.
    @discardableResult
    public func addPolicyVersion(_ policy: Policy, source: String, author: String, origin: String,
                                 activate: Bool) throws -> (version: PolicyVersion, created: Bool) {
        let revision = PolicyVersion.revision(of: policy)
        let document = PolicyVersion.document(of: policy)
        return try write(announcing: .admin) { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM policy_versions WHERE revision = ?)", arguments: [revision]) ?? false
            if !exists {
                try db.execute(sql: """
                    INSERT INTO policy_versions (revision, name, source, document, author, origin, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [revision, policy.name, source, document, author, origin, clock()])
                try recordAudit(actor: author, action: "policy.create", target: "policies/\(revision)",
                                     before: nil, after: policy.json, db)
            }
            if activate { try self.activate(revision, actor: author, db) }
            guard let version = try Self.version(revision, db) else { throw PolicyError.notFound(revision) }
            return (version, !exists)
        }
    }

    public func activatePolicy(revision: String, actor: String, reason: String?) throws -> PolicyVersion {
        try write(announcing: .admin) { db in
            guard try Self.version(revision, db) != nil else { throw PolicyError.notFound(revision) }
            try activate(revision, actor: actor, reason: reason, db)
            guard let version = try Self.version(revision, db) else { throw PolicyError.notFound(revision) }
            return version
        }
    }

    public func policyVersions() throws -> [PolicyVersion] {
        try read { db in
            let active = try Self.activeRevision(db)
            return try Row.fetchAll(db, sql: "SELECT revision, source, author, origin, created_at, document FROM policy_versions ORDER BY created_at DESC, revision")
                .compactMap { try Self.version($0, active: active) }
        }
    }

    public func policyVersion(_ revision: String) throws -> PolicyVersion? {
        try read { db in try Self.version(revision, db) }
    }

    public func activePolicy() throws -> PolicyVersion? {
        try read { db in try Self.activeRevision(db).flatMap { try Self.version($0, db) } }
    }

    func activate(_ revision: String, actor: String, reason: String? = nil, _ db: Database) throws {
        let previous = try Self.activeRevision(db)
        guard previous != revision else { return }
        try db.execute(sql: "INSERT INTO settings (name, value) VALUES ('active_policy', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                       arguments: [revision])
        let before = try previous.map { PolicyVersion.audited($0, name: try Self.version($0, db)?.policy.name) }
        let after = PolicyVersion.audited(revision, name: try Self.version(revision, db)?.policy.name, reason: reason)
        try recordAudit(actor: actor, action: "policy.activate", target: "policies/\(revision)", before: before, after: after, db)
    }

    static func activeRevision(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'active_policy'")
    }

    static func version(_ revision: String, _ db: Database) throws -> PolicyVersion? {
        guard let row = try Row.fetchOne(db, sql: "SELECT revision, source, author, origin, created_at, document FROM policy_versions WHERE revision = ?",
                                         arguments: [revision]) else { return nil }
        return try version(row, active: try activeRevision(db))
    }

    static func version(_ row: Row, active: String?) throws -> PolicyVersion? {
        PolicyVersion(revision: row[0], document: row[5], source: row[1], author: row[2], origin: row[3], createdAt: row[4],
                      active: row[0] == active)
    }
}
