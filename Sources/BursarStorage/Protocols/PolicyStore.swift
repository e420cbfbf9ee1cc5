import BursarCore

/// Policy versions (by content: the revision is the SHA-256 of the canonical JSON) and which
/// one is active; every change audited.
public protocol PolicyStore: Sendable {
    /// Stores a policy (already validated) unless the same content is stored; optionally activates it.
    @discardableResult
    func addPolicyVersion(_ policy: Policy, source: String, author: String, origin: String,
                          activate: Bool) throws -> (version: PolicyVersion, created: Bool)
    /// Makes `revision` the active policy; the audit entry names both policies and keeps `reason`.
    func activatePolicy(revision: String, actor: String, reason: String?) throws -> PolicyVersion
    func policyVersions() throws -> [PolicyVersion]
    func policyVersion(_ revision: String) throws -> PolicyVersion?
    func activePolicy() throws -> PolicyVersion?
}
