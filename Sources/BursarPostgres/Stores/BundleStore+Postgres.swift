import BursarCore
import BursarStorage

/// Bundle issues, shared by every replica (the row locked while one decides).
extension PostgresDatabase {
    /// The issue of `revision`: the stored one when it is still the latest, else the next serial.
    public func bundleIssue(for revision: String, now: Int64) throws -> BundleIssue {
        try write { connection in
            try connection.execute("INSERT INTO settings (name, value) VALUES ('bundle_issue', '') ON CONFLICT (name) DO NOTHING")
            let stored = try connection.execute("SELECT value FROM settings WHERE name = 'bundle_issue' FOR UPDATE").first?.string(0)
                .flatMap(BundleIssue.init(stored:))
            let issue = BundleIssue.next(after: stored, revision: revision, now: now)
            if issue != stored {
                try connection.execute("UPDATE settings SET value = $1 WHERE name = 'bundle_issue'", [.text(issue.stored)])
            }
            return issue
        }
    }
}
