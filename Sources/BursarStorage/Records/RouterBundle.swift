import BursarCore
import Crypto
import Foundation

/// What routers pull: the active policy, the overrides in force, every budget's state and
/// action, and the price catalog, as canonical JSON whose revision is the SHA-256 of that
/// content; with the revision's serial and issue time, signed with it (`BundleIssue`).
public struct RouterBundle: Sendable {
    public var revision: String
    public var issue: BundleIssue
    /// The exact bytes served (and signed).
    public var body: [UInt8]
    /// When the content changes by itself (the next override expiry), if ever.
    public var validUntil: Int64?
    /// The budgets' statuses the bundle was built from.
    public var budgets: [BudgetStatus]
    /// The bundle as routing reads it, made from the same values (never parsed back from `body`).
    public var routing: RoutingBundle

    /// `issue` gives the serial and issue time of the content's revision.
    public init(_ content: BundleContent, catalog: PriceCatalog, now: Int64, freshness: BundleFreshness = .standard,
                issue: (String) throws -> BundleIssue) rethrows {
        let (policy, overrides, budgets) = (content.policy, content.overrides, content.budgets)
        self.budgets = budgets
        let content: [(String, JSONValue)] = [
            ("policy", policy.map { .object([("revision", .string($0.revision))] + $0.policy.json.objectMembers) } ?? .null),
            ("overrides", .array(overrides.map(\.json))),
            ("budgets", .array(budgets.map { status in
                .object([
                    ("id", .string(status.budget.id)),
                    ("scope", status.budget.scopeJSON),
                    ("state", .string(status.state.rawValue)),
                    ("action", .string(status.budget.action.rawValue)),
                    ("downgrade_to", status.budget.downgradeTo.map(JSONValue.string) ?? .null),
                ])
            })),
            ("prices", PriceList.json(catalog)),
        ]
        let digest = SHA256.hash(data: JSONValue.object(content).serialized(canonical: true))
        revision = digest.map { String(format: "%02x", $0) }.joined()
        self.issue = try issue(revision)
        body = JSONValue.object(content + [
            ("revision", .string(revision)), ("serial", .integer(self.issue.serial)),
            ("issued_at", .string(Timestamp.format(self.issue.issuedAt))),
            ("stale_after", .string(Timestamp.format(self.issue.issuedAt + freshness.maximumAgeMillis))),
        ]).serialized(canonical: true)
        // Content changes by itself when an override expires or a budget period ends; the
        // same content is issued again once a quarter of its freshness has passed.
        routing = RoutingBundle(revision: revision, serial: self.issue.serial, issuedAt: self.issue.issuedAt,
                                staleAfter: self.issue.issuedAt + freshness.maximumAgeMillis, policyRevision: policy?.revision ?? "",
                                policy: policy?.policy, overrides: overrides, budgets: budgets.map { status in
            RoutingBundle.BudgetState(id: status.budget.id, scope: status.budget.scope, state: status.state,
                                      action: status.budget.action, downgradeTo: status.budget.downgradeTo)
        })
        validUntil = (overrides.compactMap(\.expiresAt) + budgets.map(\.periodEnd) + [self.issue.issuedAt + freshness.reissueAfterMillis])
            .filter { $0 > now }.min()
    }
}
