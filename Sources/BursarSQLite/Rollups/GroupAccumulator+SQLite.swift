import BursarCore
import BursarStorage
import GRDBSQLite

extension GroupAccumulator {
    /// Reads every row of `statement`: `width` text columns, bucket, packed sums, latency blob.
    /// A sum that would overflow throws `CounterOverflow` naming the counter.
    mutating func consume(_ statement: OpaquePointer) throws {
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw SQLiteFailure(code: code) }
            let column = Int32(width)
            try add(bucket: sqlite3_column_int64(statement, column), key: { Self.text(statement, Int32($0)) },
                    sums: Self.blob(statement, column + 1), latency: Self.blob(statement, column + 2))
        }
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let pointer = sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column)))
    }

    private static func blob(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer {
        guard let pointer = sqlite3_column_blob(statement, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// A SQLite result code from a statement stepped outside GRDB.
struct SQLiteFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { "SQLite error \(code): \(String(cString: sqlite3_errstr(code)))" }
}
