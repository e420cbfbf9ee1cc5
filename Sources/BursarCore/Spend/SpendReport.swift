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
        let sorted = rows.sorted { a, b in
            if a.bucket != b.bucket { return (a.bucket ?? 0) < (b.bucket ?? 0) }
            let (x, y) = order == .cost
                ? (a.metrics.cost.nanos, b.metrics.cost.nanos) : (a.metrics.requests, b.metrics.requests)
            if x != y { return x > y }
            return a.values.lexicographicallyPrecedes(b.values)
        }
        return Array(sorted.prefix(limit))
    }
}
