import BursarCore
import BursarStorage
import Crypto
import Foundation
import GRDB

/// Policy versions and which one is active; every change is audited.
extension BursarDatabase {
    public static func revision(of policy: Policy) -> String {
        SHA256.hash(data: policy.json.serialized(canonical: true)).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores a policy (already validated) unless the same content is stored; optionally activates it.
    @discardableResult
    public func addPolicyVersion(_ policy: Policy, source: String, author: String, origin: String,
                                 activate: Bool) throws -> (version: PolicyVersion, created: Bool) {
        let revision = Self.revision(of: policy)
        let document = String(decoding: policy.json.serialized(canonical: true), as: UTF8.self)
        return try write { db in
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
        try write { db in
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
        /// The revision with its policy's name, so that the audit log reads without looking it up.
        func named(_ revision: String) throws -> [(String, JSONValue)] {
            [("active_revision", .string(revision)), ("name", try Self.version(revision, db).map { .string($0.policy.name) } ?? .null)]
        }
        try recordAudit(actor: actor, action: "policy.activate", target: "policies/\(revision)",
                        before: try previous.map { .object(try named($0)) },
                        after: .object(try named(revision) + (reason.map { [("reason", .string($0))] } ?? [])), db)
    }

    static func activeRevision(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'active_policy'")
    }

    static func version(_ revision: String, _ db: Database) throws -> PolicyVersion? {
        guard let row = try Row.fetchOne(db, sql: "SELECT revision, source, author, origin, created_at, document FROM policy_versions WHERE revision = ?",
                                         arguments: [revision]) else { return nil }
        return try version(row, active: try activeRevision(db))
    }

    /// Rebuilds a stored version from the canonical document kept when it was validated: a
    /// read decodes it (linear, no YAML and no validation), however large the policy.
    static func version(_ row: Row, active: String?) throws -> PolicyVersion? {
        let revision: String = row[0]
        let source: String = row[1]
        let document: String = row[5]
        guard let json = try? JSONValue.parse(Array(document.utf8)), let policy = try? Policy(json: json) else { return nil }
        return PolicyVersion(revision: revision, policy: policy, source: source, author: row[2], origin: row[3],
                             createdAt: row[4], active: revision == active)
    }
}
