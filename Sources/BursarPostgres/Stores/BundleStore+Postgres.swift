import BursarCore
import BursarStorage

/// Bundle issues, shared by every replica (the row locked while one decides).
extension PostgresDatabase {
    /// The issue of `revision` (`BundleStore.bundleIssue`): the stored one, the same issued
    /// again, or the next serial; kept in the history with the policy it carries.
    public func bundleIssue(for revision: String, policy: PolicyVersion?, now: Int64, reissueAfter: Int64) throws -> BundleIssue {
        try write { connection in
            try connection.execute("INSERT INTO settings (name, value) VALUES ('bundle_issue', '') ON CONFLICT (name) DO NOTHING")
            let stored = try connection.execute("SELECT value FROM settings WHERE name = 'bundle_issue' FOR UPDATE").first?.string(0)
                .flatMap(BundleIssue.init(stored:))
            let issue = BundleIssue.next(after: stored, revision: revision, now: now, reissueAfter: reissueAfter)
            try connection.execute("""
                INSERT INTO bundle_history (serial, revision, issued_at, policy_revision, policy_name) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (serial) DO \(issue.serial == stored?.serial ? "NOTHING" : """
                    UPDATE SET revision = excluded.revision, issued_at = excluded.issued_at,
                    policy_revision = excluded.policy_revision, policy_name = excluded.policy_name
                    """)
                """, [.integer(issue.serial), .text(issue.revision), .integer(issue.issuedAt),
                      policy.map { .text($0.revision) } ?? .null, policy.map { .text($0.policy.name) } ?? .null])
            if issue != stored {
                try connection.execute("UPDATE settings SET value = $1 WHERE name = 'bundle_issue'", [.text(issue.stored)])
                // The same content issued again: the other replicas evaluate and serve it too.
                if issue.serial == stored?.serial { try replicas.announce(.spend, on: connection) }
            }
            return issue
        }
    }

    public func issuedBundles(revisions: Set<String>) throws -> [String: IssuedBundle] {
        try read { connection in
            // Routers name the revisions: looked up a bounded number at a time.
            IssuedBundle.latest(try IssuedBundle.chunks(of: revisions).flatMap { chunk in
                try connection.execute(IssuedBundle.selectSQL(markers: chunk.indices.map { "$\($0 + 1)" }), chunk.map { .text($0) }).map { row in
                    IssuedBundle(serial: try row.integer(0), revision: try row.text(1), issuedAt: try row.integer(2),
                                 policyRevision: row.string(3), policyName: row.string(4), supersededAt: try row.int64(5))
                }
            })
        }
    }
}
