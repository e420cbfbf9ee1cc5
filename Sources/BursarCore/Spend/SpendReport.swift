/// The answer to a `SpendQuery`: one row per group (and bucket), and the total of all rows.
public struct SpendReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// Dimension values in the query's `groupBy` order ("" for an absent value).
        public var values: [String]
        /// Start of the interval bucket, when the query has an interval.
        public var bucket: Int64?
        public var metrics: RollupMetrics

        public init(values: [String], bucket: Int64?, metrics: RollupMetrics) {
            self.values = values
            self.bucket = bucket
            self.metrics = metrics
        }
    }

    public var query: SpendQuery
    public var rows: [Row]
    /// The sum over every group, including those cut by `limit`.
    public var total: RollupMetrics
    /// How many groups there were before `limit`.
    public var groups: Int

    public init(query: SpendQuery, rows: [Row], total: RollupMetrics, groups: Int) {
        self.query = query
        self.rows = rows
        self.total = total
        self.groups = groups
    }

    /// Orders rows (by bucket first when there is an interval, then by the chosen metric,
    /// largest first, then by the dimension values) and applies the limit.
    public static func ordered(_ rows: [Row], by order: SpendQuery.Order, limit: Int) -> [Row] {
        // Sort small keys, not the rows (each holds arrays that a swap would retain and release).
        let keys = rows.indices.map { index in
            let metrics = rows[index].metrics
            return (bucket: rows[index].bucket ?? 0, metric: order == .cost ? metrics.cost.nanos : metrics.requests, index: index)
        }
        let sorted = keys.sorted { a, b in
            if a.bucket != b.bucket { return a.bucket < b.bucket }
            if a.metric != b.metric { return a.metric > b.metric }
            return rows[a.index].values.lexicographicallyPrecedes(rows[b.index].values)
        }
        return sorted.prefix(limit).map { rows[$0.index] }
    }

    /// The sum of many rows' metrics (latency summed in dense counters, not pairwise).
    public static func total(_ rows: [Row]) throws(CounterOverflow) -> RollupMetrics {
        var total = RollupMetrics()
        var counters = [UInt64](repeating: 0, count: 256)
        for row in rows {
            var metrics = row.metrics
            for entry in metrics.latency.entries { counters[Int(entry.bucket)] = LatencyHistogram.sum(counters[Int(entry.bucket)], entry.count) }
            metrics.latency = LatencyHistogram()
            try total.merge(metrics)
        }
        total.latency = LatencyHistogram(counters: counters)
        return total
    }
}
