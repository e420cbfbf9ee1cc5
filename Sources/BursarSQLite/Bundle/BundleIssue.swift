import BursarCore
import BursarStorage
import GRDB

extension BursarDatabase {
    /// The issue of `revision`: the stored one when it is still the latest, else the next
    /// serial, issued `now`.
    public func bundleIssue(for revision: String, now: Int64) throws -> BundleIssue {
        try write { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'bundle_issue'")
                .flatMap(BundleIssue.init(stored:))
            let issue = BundleIssue.next(after: stored, revision: revision, now: now)
            if issue == stored { return issue }
            try db.execute(sql: """
                INSERT INTO settings (name, value) VALUES ('bundle_issue', ?)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value
                """, arguments: [issue.stored])
            return issue
        }
    }
}
