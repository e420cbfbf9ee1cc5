import BursarCore
import BursarStorage
import Crypto
import Foundation
import GRDB

/// API keys: created with a random secret shown once, stored only as its SHA-256.
extension SQLiteDatabase {
    /// Creates a key and returns its secret, which is never stored and cannot be shown again.
    ///
    /// `sources` grants the event sources the key may write (nil: only its own name).
    public func createKey(name: String, role: Role, sources: SourceGrant?, actor: String) throws -> String {
        try KeyError.check(name: name)
        let secret = KeySecret.make()
        let now = clock()
        try write(announcing: .admin) { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL)", arguments: [name]) == true {
                throw KeyError.nameTaken(name)
            }
            try db.execute(sql: "INSERT INTO api_keys (name, role, secret_sha256, created_at, sources) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, Data(KeySecret.digest(secret)), now, sources?.text])
            try recordAudit(actor: actor, action: "key.create", target: "keys/\(name)", before: nil,
                            after: KeySecret.createdAudit(name: name, role: role, sources: sources), db)
        }
        return secret
    }

    public func listKeys() throws -> [APIKey] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, created_at, revoked_at, sources FROM api_keys ORDER BY id").map(Self.key)
        }
    }

    public func revokeKey(name: String, actor: String) throws {
        let now = clock()
        try write(announcing: .admin) { db in
            // Checked in the transaction that revokes: two revocations at once cannot leave no admin.
            guard let role = try String.fetchOne(db, sql: "SELECT role FROM api_keys WHERE name = ? AND revoked_at IS NULL", arguments: [name]) else {
                throw KeyError.notFound(name)
            }
            if role == Role.admin.rawValue,
               try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL") ?? 0 <= 1 {
                throw KeyError.lastAdminKey(name)
            }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [now, name])
            try recordAudit(actor: actor, action: "key.revoke", target: "keys/\(name)",
                            before: KeySecret.activeAudit(name: name, true), after: KeySecret.activeAudit(name: name, false), db)
        }
    }

    public func hasKeys() throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys)") ?? false }
    }

    /// The active key whose secret this is, or nil.
    ///
    /// The lookup is by digest, and the stored digest is compared to the presented one in
    /// constant time, so timing tells nothing about the secret.
    public func authenticate(secret: String) throws -> APIKey? {
        let presented = KeySecret.digest(secret)
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, name, role, created_at, revoked_at, sources, secret_sha256 FROM api_keys
                WHERE secret_sha256 = ? AND revoked_at IS NULL
                """, arguments: [Data(presented)]) else { return nil }
            let stored: Data = row[6]
            guard KeySecret.constantTimeEqual(Array(stored), presented) else { return nil }
            return try Self.key(row)
        }
    }

    static func key(_ row: Row) throws -> APIKey {
        let roleName: String = row[2]
        guard let role = Role(rawValue: roleName) else {
            throw DatabaseError(message: "api_keys row \(row[0] as Int64) has unknown role \(roleName)")
        }
        let grantText: String? = row[5]
        let sources = try grantText.map { text in
            guard let grant = SourceGrant(parsing: text) else { throw DatabaseError(message: "api_keys row \(row[0] as Int64) has unreadable sources") }
            return grant
        }
        return APIKey(id: row[0], name: row[1], role: role, createdAt: row[3], revokedAt: row[4], sources: sources)
    }
}
