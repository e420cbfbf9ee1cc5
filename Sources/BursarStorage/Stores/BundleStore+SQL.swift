import BursarCore

/// Bundle issues, shared by every process that opens the store (the setting's row locked while
/// one decides), and the history of what each issue carried.
extension SQLDatabase {
    /// What the bundle carries at `now`, read through `session` (one snapshot); `statuses`
    /// reads the budgets' spend from the same snapshot's rollups (each backend's own read).
    package func bundleContent(_ session: any SQLSession, now: Int64,
                               statuses: ([Budget]) throws -> [BudgetStatus]) throws -> BundleContent {
        BundleContent(policy: try Self.activePolicy(session),
                      overrides: try Self.overrides(activeAt: now, includeExpired: false, session),
                      budgets: try statuses(try budgets(session)))
    }

    /// The issue of `revision` (`BundleStore.bundleIssue`): the stored one, the same issued
    /// again, or the next serial, issued `now`; kept in the history with the policy it carries.
    public func bundleIssue(for revision: String, policy: PolicyVersion?, now: Int64, reissueAfter: Int64) throws -> BundleIssue {
        try writing { session in
            try session.execute("INSERT INTO settings (name, value) VALUES ('bundle_issue', '') ON CONFLICT (name) DO NOTHING")
            let stored = try session.row("SELECT value FROM settings WHERE name = 'bundle_issue'\(session.dialect.forUpdate)")?
                .optionalText("value").flatMap(BundleIssue.init(stored:))
            let issue = BundleIssue.next(after: stored, revision: revision, now: now, reissueAfter: reissueAfter)
            // The latest issue goes into the history once (also the one a database made
            // before the history was kept already holds), with the time it was first issued
            // (issued again, the same content keeps its row).
            try session.execute("""
                INSERT INTO bundle_history (serial, revision, issued_at, policy_revision, policy_name) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (serial) DO \(issue.serial == stored?.serial ? "NOTHING" : """
                    UPDATE SET revision = excluded.revision, issued_at = excluded.issued_at,
                    policy_revision = excluded.policy_revision, policy_name = excluded.policy_name
                    """)
                """, [.integer(issue.serial), .text(issue.revision), .integer(issue.issuedAt),
                      SQLValue(policy?.revision), SQLValue(policy?.policy.name)])
            if issue != stored {
                try session.execute("UPDATE settings SET value = ? WHERE name = 'bundle_issue'", [.text(issue.stored)])
                // The same content issued again: the other replicas evaluate and serve it too.
                if issue.serial == stored?.serial { try session.announceToOthers(.spend) }
            }
            return issue
        }
    }

    public func issuedBundles(revisions: Set<String>) throws -> [String: IssuedBundle] {
        try reading { session in
            // Routers name the revisions: looked up a bounded number at a time.
            IssuedBundle.latest(try IssuedBundle.chunks(of: revisions).flatMap { chunk in
                try session.rows("""
                    SELECT h.serial AS serial, h.revision AS revision, h.issued_at AS issued_at, h.policy_revision AS policy_revision,
                           h.policy_name AS policy_name,
                           (SELECT n.issued_at FROM bundle_history n WHERE n.serial = h.serial + 1) AS superseded_at
                    FROM bundle_history h WHERE h.revision IN (\(chunk.map { _ in "?" }.joined(separator: ", ")))
                    """, chunk.map { .text($0) }).map { row in
                    IssuedBundle(serial: try row.integer("serial"), revision: try row.text("revision"), issuedAt: try row.integer("issued_at"),
                                 policyRevision: try row.optionalText("policy_revision"), policyName: try row.optionalText("policy_name"),
                                 supersededAt: try row.optionalInteger("superseded_at"))
                }
            })
        }
    }
}
