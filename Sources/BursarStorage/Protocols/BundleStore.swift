import BursarCore

/// The serials and issue times of bundle revisions (they grow across restarts), and the
/// history of what each revision carried (for the fleet: which policy an instance runs).
public protocol BundleStore: Sendable {
    /// What the bundle carries at `now`, read in one snapshot (the policy, overrides and budget
    /// states a router receives agree with each other).
    func bundleContent(now: Int64) throws -> BundleContent
    /// The issue of `revision`: the stored one when it is still the latest and was issued less
    /// than `reissueAfter` ms ago; its serial issued `now` when it is older; else the next
    /// serial, issued `now` (issue times never go back). Records a new serial in the history
    /// with the policy it carries (the history keeps when a serial was first issued).
    func bundleIssue(for revision: String, policy: PolicyVersion?, now: Int64, reissueAfter: Int64) throws -> BundleIssue
    /// The latest issue of each of `revisions` found in the history.
    func issuedBundles(revisions: Set<String>) throws -> [String: IssuedBundle]
}

extension BundleStore {
    public func bundleIssue(for revision: String, policy: PolicyVersion? = nil, now: Int64) throws -> BundleIssue {
        try bundleIssue(for: revision, policy: policy, now: now, reissueAfter: BundleFreshness.standard.reissueAfterMillis)
    }
}

extension IssuedBundle {
    /// `revisions` in sorted groups of at most `size` (a statement's parameters stay few,
    /// however many revisions routers report).
    public static func chunks(of revisions: Set<String>, size: Int = 500) -> [[String]] {
        let sorted = revisions.sorted()
        return stride(from: 0, to: sorted.count, by: size).map { Array(sorted[$0..<min($0 + size, sorted.count)]) }
    }

    /// The latest issue per revision among `issues`.
    public static func latest(_ issues: [IssuedBundle]) -> [String: IssuedBundle] {
        var latest: [String: IssuedBundle] = [:]
        for issue in issues where (latest[issue.revision]?.serial ?? .min) < issue.serial { latest[issue.revision] = issue }
        return latest
    }
}
