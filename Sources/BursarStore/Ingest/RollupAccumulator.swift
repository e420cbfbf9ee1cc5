import BursarCore
import GRDB

/// Sums events by rollup key, then adds the sums to the rollup tables, so each touched
/// rollup row is written once per commit, not once per event.
///
/// Requests build one for their batch on their own thread; the writer merges them. Every sum
/// is checked: since every table holds every event, no row's sum exceeds `total`, so checking
/// the total first makes each add all or nothing.
public struct RollupAccumulator: Sendable {
    /// One per rollup table, in `tableIDs` order.
    private var tables: [[RollupKey: RollupMetrics]]
    /// The sum of everything added (counters only).
    private(set) var total = RollupMetrics()

    struct RollupTableID: Hashable {
        var cuboid: RollupCuboid
        var grain: RollupGrain
    }

    static let tableIDs: [RollupTableID] = RollupCuboid.all.flatMap { cuboid in
        cuboid.grains.map { RollupTableID(cuboid: cuboid, grain: $0) }
    }

    public init() {
        tables = Array(repeating: [:], count: Self.tableIDs.count)
    }

    init(_ events: some Sequence<PricedEvent>) throws(CounterOverflow) {
        self.init()
        for event in events { try add(event) }
    }

    var isEmpty: Bool { total.requests == 0 }

    /// Adds one event, or refuses it (changing nothing) when a sum would overflow.
    mutating func add(_ priced: PricedEvent) throws(CounterOverflow) {
        var counts = RollupMetrics()
        try counts.add(event: priced.event, cost: priced.cost)
        try total.add(counts: counts)
        for (index, table) in Self.tableIDs.enumerated() {
            let key = table.cuboid.key(of: priced.event, bucket: table.grain.bucket(of: priced.event.time))
            try tables[index][key, default: RollupMetrics()].merge(counts)
        }
    }

    /// Adds another accumulator's sums, or refuses them (changing nothing) on overflow.
    mutating func merge(_ other: RollupAccumulator) throws(CounterOverflow) {
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

    /// Adds the sums to the stored rows; a stored row that would overflow fails the statement
    /// with `RollupSums.overflowMessage` and the counter.
    func write(_ db: Database) throws {
        for (table, rows) in zip(Self.tableIDs, tables) where !rows.isEmpty {
            let statement = SQLiteStatement(try db.cachedStatement(sql: Self.upsertSQL(table.cuboid, table.grain)), in: db)
            for (key, metrics) in rows {
                statement.bind(1, key.bucket)
                var index: Int32 = 2
                for value in key.values {
                    statement.bind(index, value)
                    index += 1
                }
                statement.bind(index, RollupSums.encode(metrics))
                statement.bind(index + 1, metrics.latency.encoded)
                _ = try statement.run()
            }
        }
    }

    static func upsertSQL(_ cuboid: RollupCuboid, _ grain: RollupGrain) -> String {
        let keyColumns = ["bucket"] + cuboid.dimensions.map(\.column)
        let columns = keyColumns + ["sums", "latency"]
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ",")
        return """
            INSERT INTO \(cuboid.table(grain)) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET
                sums = bursar_sums_add(sums, excluded.sums),
                latency = bursar_latency_merge(latency, excluded.latency)
            """
    }
}
