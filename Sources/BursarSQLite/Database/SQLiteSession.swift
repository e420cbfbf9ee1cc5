import BursarStorage
import Foundation
import GRDB

/// One SQLite transaction as the stores written once see it: GRDB's cached statements, values
/// in SQLite's own types. One writer at a time and one process per file, so there is nothing
/// to lock and no one else to tell.
struct SQLiteSession: SQLSession {
    let db: Database

    init(_ db: Database) { self.db = db }

    var dialect: SQLDialect { .sqlite }

    func run(_ sql: String, _ values: [SQLValue]) throws -> SQLResult {
        // Statements of a fixed text are kept prepared; one with a long list of parameters (an
        // `IN` list as long as a router's report) is prepared for this call only.
        let statement = values.count <= Self.cachedParameters ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(values.map(Self.databaseValue)))
        let columns = statement.columnNames
        let rows = try Row.fetchAll(statement).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
        return SQLResult(rows: rows, changed: db.changesCount)
    }

    /// The most parameters a statement kept prepared has.
    static let cachedParameters = 16

    func lock(_ target: String) {}

    func announceToOthers(_ change: StoreChange) {}

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .bytes(let bytes): Data(bytes).databaseValue
        }
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .bytes(Array(data))
        }
    }
}
