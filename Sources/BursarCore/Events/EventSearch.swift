/// A search of the raw events still retained (the request explorer): newest first, by
/// request id and any rollup dimension, a page at a time.
///
/// Raw events have no index but their identity and their arrival order (`seq`), so a page
/// walks back through arrival order in slices and stops after `examineLimit` events: no
/// search can hold a reader for long, however rare its match. The page says where to go on.
public struct EventSearch: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500
    /// Events examined per page at most (about half a second of SQLite's scanning).
    public static let defaultExamineLimit: Int64 = 1_000_000

    /// Epoch milliseconds, `from` inclusive and `to` exclusive (event times).
    public var from: Int64
    public var to: Int64
    public var filters: [RollupDimension: String] = [:]
    public var requestID: String?
    /// Only events that arrived before this one (a page's `next`).
    public var before: Int64?
    public var limit = EventSearch.defaultLimit
    public var examineLimit = EventSearch.defaultExamineLimit
    /// Events examined per statement.
    public var slice: Int64 = 100_000

    public init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    /// The stored status values an event must have to match the `status` filter (a status
    /// class, as rollups keep it): empty when the filter names no class.
    public var statuses: [String]? {
        guard let statusClass = filters[.status] else { return nil }
        return EventStatus.allCases.filter { $0.statusClass == statusClass }.map(\.rawValue)
    }

    /// The filters other than `status`, as (events column, value), in a fixed order.
    public var columnFilters: [(column: String, value: String)] {
        RollupDimension.allCases.filter { $0 != .status }.compactMap { dimension in
            filters[dimension].map { (dimension.column, $0) }
        }
    }

    /// Reads query parameters, naming the parameter that is wrong. Without `from` and `to`,
    /// the range is the last 30 days up to the end of the current hour (as for spend).
    public static func parse(_ parameters: [String: String], now: Int64) throws(FieldError) -> EventSearch {
        let (from, to) = try SpendQuery.range(parameters, now: now)
        var search = EventSearch(from: from, to: to)
        for dimension in RollupDimension.allCases {
            if let value = parameters[dimension.rawValue] { search.filters[dimension] = value }
        }
        if let requestID = parameters["request_id"] {
            guard !requestID.isEmpty, requestID.utf8.count <= EventFields.maximumTextLength else {
                throw FieldError(code: "invalid_parameter",
                                 message: "request_id must be 1 to \(EventFields.maximumTextLength) bytes", field: "request_id")
            }
            search.requestID = requestID
        }
        if let before = parameters["before"] {
            guard let parsed = Int64(before), parsed > 0 else {
                throw FieldError(code: "invalid_parameter", message: "before must be a positive whole number (a page's next)", field: "before")
            }
            search.before = parsed
        }
        if let limit = parameters["limit"] {
            guard let parsed = Int(limit), (1...maximumLimit).contains(parsed) else {
                throw FieldError(code: "invalid_parameter", message: "limit must be a whole number from 1 to \(maximumLimit)", field: "limit")
            }
            search.limit = parsed
        }
        return search
    }
}
