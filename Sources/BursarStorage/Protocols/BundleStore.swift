import BursarCore

/// The serials and issue times of bundle revisions (they grow across restarts).
public protocol BundleStore: Sendable {
    /// The issue of `revision`: the stored one when it is still the latest, else the next
    /// serial, issued `now` (issue times never go back).
    func bundleIssue(for revision: String, now: Int64) throws -> BundleIssue
}
