/// A family of rollup tables kept by one set of dimensions, at one or more time grains.
///
/// Three are kept so that each query reads the smallest table that has its dimensions:
/// traffic without users (dashboards, tier mix) by hour, day and month; users by tier, team
/// and source (top spenders; tier first, so `tier=frontier` reads a key range) by day and month;
/// the full detail for any other cut by day. Per-user tables have no hour grain: by hour
/// they would be as large as the raw events and cost ingest a random page write per event,
/// so a query by user is answered in whole UTC days. The detail has no month grain: it
/// would be rewritten nearly whole by every commit.
///
/// Every cuboid keeps `source`, so no rollup row is shared by two sources: what one router
/// sends can never fill a row another router adds to (a key writes only its own sources), and
/// so can never make another router's events overflow and be refused.
public struct RollupCuboid: Sendable, Hashable {
    public var name: String
    public var dimensions: [RollupDimension]
    public var grains: [RollupGrain]

    public static let traffic = RollupCuboid(
        name: "traffic",
        dimensions: [.source, .team, .feature, .tier, .provider, .model, .status, .reason],
        grains: [.hour, .day, .month])
    public static let users = RollupCuboid(name: "users", dimensions: [.tier, .user, .team, .source], grains: [.day, .month])
    /// The users cuboid as the first schema made it, without its source (migrations only).
    public static let usersWithoutSources = RollupCuboid(name: "users", dimensions: [.tier, .user, .team], grains: [.day, .month])
    /// The cuboids of the first schema (migrations only: a released migration never changes).
    public static let firstSchema: [RollupCuboid] = [.traffic, .usersWithoutSources, .detail]
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

/// The time grain of a rollup table (UTC).
public enum RollupGrain: String, Sendable, CaseIterable {
    case hour, day, month

    public func bucket(of millis: Int64) -> Int64 {
        switch self {
        case .hour: return UTC.hourStart(millis)
        case .day: return UTC.dayStart(millis)
        case .month: return UTC.monthStart(millis)
        }
    }

    /// The end of the bucket that starts at `start`.
    public func bucketEnd(_ start: Int64) -> Int64 {
        switch self {
        case .hour: return start + UTC.millisPerHour
        case .day: return start + UTC.millisPerDay
        case .month: return UTC.nextMonthStart(start)
        }
    }
}

/// One rollup row's identity: its time bucket and its dimension values, in cuboid order.
///
/// A 64-bit digest of the values is computed once, so that merging keys from many
/// batches in the writer hashes eight bytes, not every string again.
public struct RollupKey: Hashable, Sendable {
    public let bucket: Int64
    public let values: [String]
    private let digest: UInt64

    public init(bucket: Int64, values: [String]) {
        self.bucket = bucket
        self.values = values
        var hash: UInt64 = 14_695_981_039_346_656_037 ^ UInt64(bitPattern: bucket)
        for value in values {
            for byte in value.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0xFF) &* 1_099_511_628_211
        }
        digest = hash
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    public static func == (lhs: RollupKey, rhs: RollupKey) -> Bool {
        lhs.digest == rhs.digest && lhs.bucket == rhs.bucket && lhs.values == rhs.values
    }
}
