import BursarCore

/// Sums events by rollup key, then adds the sums to the rollup tables, so each touched
/// rollup row is written once per commit, not once per event.
///
/// Requests build one for their batch on their own thread; the writer merges them. Every sum
/// is checked: since every table holds every event, no row's sum exceeds `total`, so checking
/// the total first makes each add all or nothing.
public struct RollupAccumulator: Sendable {
    /// One per rollup table, in `tableIDs` order.
    package private(set) var tables: [[RollupKey: RollupMetrics]]
    /// The sum of everything added (counters only).
    package private(set) var total = RollupMetrics()

    package struct RollupTableID: Hashable {
        package var cuboid: RollupCuboid
        package var grain: RollupGrain
    }

    package static let tableIDs: [RollupTableID] = RollupCuboid.all.flatMap { cuboid in
        cuboid.grains.map { RollupTableID(cuboid: cuboid, grain: $0) }
    }

    public init() {
        tables = Array(repeating: [:], count: Self.tableIDs.count)
    }

    package init(_ events: some Sequence<PricedEvent>) throws(CounterOverflow) {
        self.init()
        for event in events { try add(event) }
    }

    package var isEmpty: Bool { total.requests == 0 }

    /// Adds one event, or refuses it (changing nothing) when a sum would overflow.
    package mutating func add(_ priced: PricedEvent) throws(CounterOverflow) {
        var counts = RollupMetrics()
        try counts.add(event: priced.event, cost: priced.cost)
        try total.add(counts: counts)
        for (index, table) in Self.tableIDs.enumerated() {
            let key = table.cuboid.key(of: priced.event, bucket: table.grain.bucket(of: priced.event.time))
            try tables[index][key, default: RollupMetrics()].merge(counts)
        }
    }

    /// Adds another accumulator's sums, or refuses them (changing nothing) on overflow.
    package mutating func merge(_ other: RollupAccumulator) throws(CounterOverflow) {
        try total.add(counts: other.total)
        for index in tables.indices {
            if tables[index].isEmpty {
                tables[index] = other.tables[index]
                continue
            }
            for (key, metrics) in other.tables[index] {
                try tables[index][key, default: RollupMetrics()].merge(metrics)
            }
        }
    }
}
