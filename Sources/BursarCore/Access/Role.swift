/// What an API key may do.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// Ships events, pulls the bundle, reports status.
    case router
    /// Reads everything but keys.
    case viewer
    /// Everything.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .router: return 0
        case .viewer: return 1
        case .admin: return 2
        }
    }
}

/// An API key as the server knows it once the caller is authenticated (never the secret).
public struct APIKey: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var createdAt: Int64
    public var revokedAt: Int64?
    /// The sources its events and fleet reports may name.
    public var sources: SourceGrant

    public init(id: Int64, name: String, role: Role, createdAt: Int64, revokedAt: Int64? = nil, sources: SourceGrant? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.sources = sources ?? .own(name)
    }
}
