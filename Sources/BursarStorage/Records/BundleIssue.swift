import BursarCore

/// When a bundle revision was first published, and its serial: a number that grows by one
/// with every new revision, kept in the database so that it grows across restarts. Both are
/// signed with the content, so a router can refuse an older bundle replayed to it (it orders
/// bundles by issue time, then serial; a restored database issues lower serials, later).
public struct BundleIssue: Sendable, Equatable {
    public var revision: String
    public var serial: Int64
    public var issuedAt: Int64

    public init(revision: String, serial: Int64, issuedAt: Int64) {
        self.revision = revision
        self.serial = serial
        self.issuedAt = issuedAt
    }
}
