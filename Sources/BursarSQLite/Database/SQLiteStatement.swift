import GRDB
import GRDBSQLite

/// Fast binding on a prepared statement for the ingest hot path, straight through SQLite's C API.
///
/// GRDB's `StatementArguments` allocate per call; at hundreds of thousands of rows a second
/// that shows, so the writer binds values itself on GRDB's cached statements.
struct SQLiteStatement {
    /// SQLITE_TRANSIENT (a macro Swift cannot import): SQLite copies the bytes.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    let handle: OpaquePointer
    let connection: OpaquePointer

    init(_ statement: Statement, in db: Database) {
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    func bind(_ index: Int32, _ value: String) {
        var text = value
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                _ = sqlite3_bind_text(handle, index, base, Int32(bytes.count), Self.transient)
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64) {
        _ = sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { _ = sqlite3_bind_int64(handle, index, value) } else { _ = sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { _ = sqlite3_bind_double(handle, index, value) } else { _ = sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    /// Runs the statement to completion; returns the number of rows it changed.
    func run() throws -> Int32 {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
        return sqlite3_changes(connection)
    }
}
