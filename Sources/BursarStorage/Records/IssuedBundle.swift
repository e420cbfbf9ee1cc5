/// A bundle revision as it was issued: its serial, when, and the policy it carried; and
/// when the next revision replaced it (nil while it is the latest).
public struct IssuedBundle: Sendable, Equatable {
    public var serial: Int64
    public var revision: String
    public var issuedAt: Int64
    /// The active policy's revision and name in that bundle (nil: it had no policy).
    public var policyRevision: String?
    public var policyName: String?
    public var supersededAt: Int64?

    public init(serial: Int64, revision: String, issuedAt: Int64, policyRevision: String?, policyName: String?, supersededAt: Int64?) {
        self.serial = serial
        self.revision = revision
        self.issuedAt = issuedAt
        self.policyRevision = policyRevision
        self.policyName = policyName
        self.supersededAt = supersededAt
    }
}
