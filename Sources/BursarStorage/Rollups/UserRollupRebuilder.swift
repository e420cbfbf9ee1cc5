import BursarCore

/// Rebuilds the user rollups (`RollupCuboid.users`) from the detail rollups, which keep every
/// dimension by day: a user's day and month rows, one per (tier, user, team, source). Used by
/// the migration that gave user rows their source; exact, since both were written from the
/// same events by the same commits.
package struct UserRollupRebuilder {
    /// The detail columns that make a user row's key, in the users cuboid's order.
    package static let keyColumns = RollupCuboid.users.dimensions.map(\.column)

    private var days = GroupAccumulator(width: RollupCuboid.users.dimensions.count, bucketing: { $0 })
    private var months = GroupAccumulator(width: RollupCuboid.users.dimensions.count, bucketing: UTC.monthStart)

    package init() {}

    /// Adds one detail day row: its bucket, its values of `keyColumns`, its packed sums and latency.
    package mutating func add(bucket: Int64, key: [String], sums: [UInt8], latency: [UInt8]) throws {
        try days.add(bucket: bucket, key: key, sums: sums, latency: latency)
        try months.add(bucket: bucket, key: key, sums: sums, latency: latency)
    }

    /// The rows of one grain: bucket, key values, packed sums, encoded latency.
    package func rows(_ grain: RollupGrain) throws -> [(bucket: Int64, key: [String], sums: [UInt8], latency: [UInt8])] {
        try (grain == .month ? months : days).results.map { group in
            (group.bucket, group.values, RollupSums.encode(group.metrics), group.metrics.latency.encoded)
        }
    }
}
