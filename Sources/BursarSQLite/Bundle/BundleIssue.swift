import BursarCore
import BursarStorage
import GRDB

extension BursarDatabase {
    /// The issue of `revision`: the stored one when it is still the latest, else the next
    /// serial, issued `now`.
    public func bundleIssue(for revision: String, now: Int64) throws -> BundleIssue {
        try write { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'bundle_issue'")
                .flatMap(Self.issue(parsing:))
            if let stored, stored.revision == revision { return stored }
            // Issue times never go back, even when the clock does.
            let issue = BundleIssue(revision: revision, serial: (stored?.serial ?? 0) + 1, issuedAt: max(now, stored?.issuedAt ?? now))
            try db.execute(sql: """
                INSERT INTO settings (name, value) VALUES ('bundle_issue', ?)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value
                """, arguments: ["\(issue.serial) \(issue.issuedAt) \(issue.revision)"])
            return issue
        }
    }

    /// `serial issued_at revision`, as stored.
    static func issue(parsing text: String) -> BundleIssue? {
        let parts = text.split(separator: " ")
        guard parts.count == 3, let serial = Int64(parts[0]), let issuedAt = Int64(parts[1]) else { return nil }
        return BundleIssue(revision: String(parts[2]), serial: serial, issuedAt: issuedAt)
    }
}
