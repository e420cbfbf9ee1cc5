import BursarCore

/// One stored version of a policy: its revision is the SHA-256 of its canonical JSON.
public struct PolicyVersion: Sendable, Equatable {
    public var revision: String
    public var policy: Policy
    /// The text it was submitted as (YAML or JSON).
    public var source: String
    public var author: String
    public var origin: String
    public var createdAt: Int64
    public var active: Bool

    public init(revision: String, policy: Policy, source: String, author: String, origin: String, createdAt: Int64, active: Bool) {
        self.revision = revision
        self.policy = policy
        self.source = source
        self.author = author
        self.origin = origin
        self.createdAt = createdAt
        self.active = active
    }
}
