/// A family of rollup tables kept by one set of dimensions, at hour and day grain.
///
/// Three are kept so that each query reads the smallest table that has its dimensions:
/// traffic without users (dashboards, tier mix), users by team and tier (top spenders),
/// and the full detail for any other cut.
public struct RollupCuboid: Sendable, Hashable {
    public var name: String
    public var dimensions: [RollupDimension]

    public static let traffic = RollupCuboid(
        name: "traffic",
        dimensions: [.source, .team, .feature, .tier, .provider, .model, .status, .reason])
    public static let users = RollupCuboid(name: "users", dimensions: [.user, .team, .tier])
    public static let detail = RollupCuboid(name: "detail", dimensions: RollupDimension.allCases)

    /// Smallest first.
    public static let all: [RollupCuboid] = [.traffic, .users, .detail]

    /// The smallest cuboid that keeps every one of `needed`.
    public static func covering(_ needed: Set<RollupDimension>) -> RollupCuboid {
        all.first { needed.isSubset(of: Set($0.dimensions)) } ?? .detail
    }

    public func table(_ grain: RollupGrain) -> String { "rollup_\(name)_\(grain.rawValue)" }

    public func key(of event: UsageEvent, bucket: Int64) -> RollupKey {
        RollupKey(bucket: bucket, values: dimensions.map { $0.value(of: event) })
    }
}

/// The time grain of a rollup table.
public enum RollupGrain: String, Sendable, CaseIterable {
    case hour, day

    public func bucket(of millis: Int64) -> Int64 {
        switch self {
        case .hour: return UTC.hourStart(millis)
        case .day: return UTC.dayStart(millis)
        }
    }
}

/// One rollup row's identity: its time bucket and its dimension values, in cuboid order.
public struct RollupKey: Hashable, Sendable {
    public var bucket: Int64
    public var values: [String]

    public init(bucket: Int64, values: [String]) {
        self.bucket = bucket
        self.values = values
    }
}
