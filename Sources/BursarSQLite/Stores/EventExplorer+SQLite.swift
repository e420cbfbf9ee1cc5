import BursarCore
import BursarStorage
import GRDB

extension SQLiteDatabase {
    public func eventSeqBounds() throws -> ClosedRange<Int64>? {
        try read { db in
            // One aggregate per statement: SQLite answers each from the ends of the rowid tree.
            guard let lowest = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM events"),
                  let highest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") else { return nil }
            return lowest...highest
        }
    }

    public func storedEvents(_ search: EventSearch, seqs: Range<Int64>, limit: Int) throws -> [StoredEvent] {
        let statement = EventSearchStatement(search, seqs: seqs, limit: limit) { _ in "?" }
        let arguments = StatementArguments(statement.arguments.map { argument -> (any DatabaseValueConvertible)? in
            switch argument {
            case .integer(let value): value
            case .text(let value): value
            }
        })
        return try read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: arguments).map { try StoredEvent(row: SQLiteEventRow(row: $0)) }
        }
    }
}

/// A GRDB row read by column position.
private struct SQLiteEventRow: StoredEventRow {
    let row: Row

    func text(_ index: Int) throws -> String {
        guard let value = String.fromDatabaseValue(row[index] as DatabaseValue) else {
            throw StoredEventDecodingError(description: "events column \(index) is not text")
        }
        return value
    }

    func optionalInteger(_ index: Int) throws -> Int64? { row[index] }
    func optionalDouble(_ index: Int) throws -> Double? { row[index] }
    func optionalBool(_ index: Int) throws -> Bool? { (row[index] as Int64?).map { $0 != 0 } }
}
