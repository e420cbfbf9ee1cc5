import BursarCore

/// The statement both backends run for one slice of an event search, with its arguments in
/// order; `placeholder(n)` writes the n-th parameter marker (`?` or `$n`).
public struct EventSearchStatement: Sendable {
    public enum Argument: Sendable, Equatable {
        case integer(Int64)
        case text(String)
    }

    public let sql: String
    public let arguments: [Argument]

    public init(_ search: EventSearch, seqs: Range<Int64>, limit: Int, placeholder: (Int) -> String) {
        var arguments: [Argument] = [.integer(seqs.lowerBound), .integer(seqs.upperBound), .integer(search.from), .integer(search.to)]
        func next(_ argument: Argument) -> String {
            arguments.append(argument)
            return placeholder(arguments.count)
        }
        var conditions = ["e.seq >= \(placeholder(1))", "e.seq < \(placeholder(2))", "e.time >= \(placeholder(3))", "e.time < \(placeholder(4))"]
        if let requestID = search.requestID { conditions.append("e.request_id = \(next(.text(requestID)))") }
        for (column, value) in search.columnFilters { conditions.append("e.\(column) = \(next(.text(value)))") }
        if let statuses = search.statuses {
            conditions.append(statuses.isEmpty ? "1 = 0" : "e.status IN (\(statuses.map { next(.text($0)) }.joined(separator: ", ")))")
        }
        let limitMarker = next(.integer(Int64(limit)))
        sql = """
            SELECT \(StoredEvent.columns)
            FROM events e LEFT JOIN prices p ON p.id = e.price_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY e.seq DESC LIMIT \(limitMarker)
            """
        self.arguments = arguments
    }
}
