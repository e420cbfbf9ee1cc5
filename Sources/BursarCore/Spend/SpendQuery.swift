/// A question about spend: a time range, how to group, what to filter, how to order.
public struct SpendQuery: Sendable, Equatable {
    public enum Interval: String, Sendable, CaseIterable { case hour, day, month }
    public enum Order: String, Sendable, CaseIterable { case cost, requests }

    public static let defaultLimit = 1000
    public static let maximumLimit = 100_000

    /// Epoch milliseconds, whole hours, `from` inclusive and `to` exclusive.
    public var from: Int64
    public var to: Int64
    public var groupBy: [RollupDimension] = []
    public var filters: [RollupDimension: String] = [:]
    public var interval: Interval?
    public var order: Order = .cost
    public var limit = SpendQuery.defaultLimit
    /// Sums that would pass 2^63−1 stay at it instead of failing the query (422): for figures
    /// that must always answer, such as `/metrics`, where such a series reads "at least this".
    public var saturating = false

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    /// The cuboid whose tables answer this query.
    public var cuboid: RollupCuboid {
        RollupCuboid.covering(Set(groupBy).union(filters.keys))
    }

    /// Reads query parameters, naming the parameter that is wrong.
    ///
    /// `from` and `to` take RFC 3339 times or dates and are widened to whole hours (to whole
    /// UTC days when the query groups or filters by user, or needs the full detail); without
    /// them the range is the last 30 days up to the end of the current hour.
    public static func parse(_ parameters: [String: String], now: Int64) throws(FieldError) -> SpendQuery {
        let (from, to) = try range(parameters, now: now)
        var query = SpendQuery(from: from, to: to)
        if let groupBy = parameters["group_by"], !groupBy.isEmpty {
            for name in groupBy.split(separator: ",") {
                guard let dimension = RollupDimension(rawValue: String(name)) else {
                    throw FieldError(code: "invalid_parameter",
                                     message: "group_by takes \(RollupDimension.allCases.map(\.rawValue).joined(separator: ", ")); '\(name)' is not one of them",
                                     field: "group_by")
                }
                if !query.groupBy.contains(dimension) { query.groupBy.append(dimension) }
            }
        }
        for dimension in RollupDimension.allCases {
            if let value = parameters[dimension.rawValue] { query.filters[dimension] = value }
        }
        if let interval = parameters["interval"] {
            guard let parsed = Interval(rawValue: interval) else { throw invalid("interval", "must be hour, day or month") }
            query.interval = parsed
        }
        if let order = parameters["order"] {
            guard let parsed = Order(rawValue: order) else { throw invalid("order", "must be cost or requests") }
            query.order = parsed
        }
        if let limit = parameters["limit"] {
            guard let parsed = Int(limit), (1...maximumLimit).contains(parsed) else {
                throw invalid("limit", "must be a whole number from 1 to \(maximumLimit)")
            }
            query.limit = parsed
        }
        if !query.cuboid.grains.contains(.hour) {
            if query.interval == .hour {
                throw invalid("interval", "hour is not kept per user or per model and feature together; use day or month")
            }
            query.from = UTC.dayStart(query.from)
            query.to = UTC.dayStart(query.to + UTC.millisPerDay - 1)
        }
        return query
    }

    /// `from` and `to` from parameters, widened to whole hours.
    public static func range(_ parameters: [String: String], now: Int64) throws(FieldError) -> (Int64, Int64) {
        let to = try time(parameters["to"], name: "to") ?? UTC.hourStart(now) + UTC.millisPerHour
        let from = try time(parameters["from"], name: "from") ?? (UTC.dayStart(to - 1) - 29 * UTC.millisPerDay)
        let alignedFrom = UTC.hourStart(from)
        let alignedTo = UTC.hourStart(to + UTC.millisPerHour - 1)
        guard alignedFrom < alignedTo else { throw invalid("to", "must be after from") }
        guard alignedTo - alignedFrom <= 3660 * UTC.millisPerDay else { throw invalid("from", "range is longer than ten years") }
        return (alignedFrom, alignedTo)
    }

    private static func time(_ text: String?, name: String) throws(FieldError) -> Int64? {
        guard let text else { return nil }
        guard let millis = Timestamp.parse(text, allowDate: true) else {
            throw invalid(name, "must be an RFC 3339 time (2026-11-01T00:00:00Z) or a date (2026-11-01)")
        }
        return millis
    }

    private static func invalid(_ name: String, _ message: String) -> FieldError {
        FieldError(code: "invalid_parameter", message: "\(name) \(message)", field: name)
    }
}
