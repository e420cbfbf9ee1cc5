import BursarCore
import BursarStorage

extension PostgresDatabase {
    public func eventSeqBounds() throws -> ClosedRange<Int64>? {
        try read { connection in
            // One aggregate per statement: each is answered from one end of the primary key.
            let rows = try connection.execute("SELECT (SELECT MIN(seq) FROM events), (SELECT MAX(seq) FROM events)")
            guard let row = rows.first, let lowest = try row.int64(0), let highest = try row.int64(1) else { return nil }
            return lowest...highest
        }
    }

    public func storedEvents(_ search: EventSearch, seqs: Range<Int64>, limit: Int) throws -> [StoredEvent] {
        let statement = EventSearchStatement(search, seqs: seqs, limit: limit) { "$\($0)" }
        let arguments = statement.arguments.map { argument -> PostgresValue in
            switch argument {
            case .integer(let value): .integer(value)
            case .text(let value): .text(value)
            }
        }
        return try read { connection in
            try connection.execute(statement.sql, arguments).map { try StoredEvent(row: $0) }
        }
    }
}

extension PostgresRows.Row: StoredEventRow {
    public func optionalInteger(_ index: Int) throws -> Int64? { try int64(index) }
    public func optionalDouble(_ index: Int) throws -> Double? { try double(index) }
    public func optionalBool(_ index: Int) throws -> Bool? { try bool(index) }
}
