import BursarCore
import BursarStorage
import GRDB

extension SQLiteDatabase {
    /// The issue of `revision` (`BundleStore.bundleIssue`): the stored one, the same issued
    /// again, or the next serial, issued `now`; kept in the history with the policy it carries.
    public func bundleIssue(for revision: String, policy: PolicyVersion?, now: Int64, reissueAfter: Int64) throws -> BundleIssue {
        try write { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'bundle_issue'")
                .flatMap(BundleIssue.init(stored:))
            let issue = BundleIssue.next(after: stored, revision: revision, now: now, reissueAfter: reissueAfter)
            // The latest issue goes into the history once (also the one a database made
            // before the history was kept already holds), with the time it was first issued
            // (issued again, the same content keeps its row).
            try db.execute(sql: """
                INSERT \(issue.serial == stored?.serial ? "OR IGNORE" : "OR REPLACE") INTO bundle_history
                    (serial, revision, issued_at, policy_revision, policy_name) VALUES (?, ?, ?, ?, ?)
                """, arguments: [issue.serial, issue.revision, issue.issuedAt, policy?.revision, policy?.policy.name])
            if issue == stored { return issue }
            try db.execute(sql: """
                INSERT INTO settings (name, value) VALUES ('bundle_issue', ?)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value
                """, arguments: [issue.stored])
            return issue
        }
    }

    public func issuedBundles(revisions: Set<String>) throws -> [String: IssuedBundle] {
        try read { db in
            // Routers name the revisions: looked up a bounded number at a time.
            IssuedBundle.latest(try IssuedBundle.chunks(of: revisions).flatMap { chunk in
                try Row.fetchAll(db, sql: IssuedBundle.selectSQL(markers: chunk.map { _ in "?" }), arguments: StatementArguments(chunk)).map { row in
                    IssuedBundle(serial: row[0], revision: row[1], issuedAt: row[2], policyRevision: row[3], policyName: row[4], supersededAt: row[5])
                }
            })
        }
    }
}
