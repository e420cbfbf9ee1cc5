/// A family of rollup tables kept by one set of dimensions, at one or more time grains.
///
/// Three are kept so that each query reads the smallest table that has its dimensions:
/// traffic without users (dashboards, tier mix) by hour and day, users by team and tier
/// (top spenders) by day, and the full detail for any other cut by day. Per-user tables
/// have no hour grain: by hour they would be as large as the raw events and cost ingest
/// a random page write per event, so a query by user is answered in whole UTC days.
public struct RollupCuboid: Sendable, Hashable {
    public var name: String
    public var dimensions: [RollupDimension]
    public var grains: [RollupGrain]

    public static let traffic = RollupCuboid(
        name: "traffic",
        dimensions: [.source, .team, .feature, .tier, .provider, .model, .status, .reason],
        grains: [.hour, .day])
    public static let users = RollupCuboid(name: "users", dimensions: [.user, .team, .tier], grains: [.day])
    public static let detail = RollupCuboid(name: "detail", dimensions: RollupDimension.allCases, grains: [.day])

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
