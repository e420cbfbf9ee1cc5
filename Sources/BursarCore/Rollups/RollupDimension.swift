/// A dimension rollups are kept by, and spend can be grouped or filtered by.
public enum RollupDimension: String, Sendable, CaseIterable, Hashable {
    case source, user, team, feature, tier, provider, model, status, reason

    public func value(of event: UsageEvent) -> String {
        switch self {
        case .source: return event.source
        case .user: return event.user
        case .team: return event.team
        case .feature: return event.feature
        case .tier: return event.tier
        case .provider: return event.provider
        case .model: return event.model
        case .status: return event.status.statusClass
        case .reason: return event.reason.rawValue
        }
    }

    /// The SQL column that holds this dimension in rollup tables.
    public var column: String {
        switch self {
        case .user: return "user_id"
        case .status: return "status_class"
        default: return rawValue
        }
    }
}
