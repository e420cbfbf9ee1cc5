/// One row a statement returned, read by column name (a renamed or reordered column in a
/// SELECT cannot shift what is read).
public struct SQLRow: Sendable {
    /// The result's column names, in order (shared by every row of one result).
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ column: String) throws(SQLRowError) -> SQLValue {
        guard let index = columns.firstIndex(of: column), values.indices.contains(index) else {
            throw SQLRowError(column: column, problem: "is not in the result (\(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// A text column that must not be NULL.
    public func text(_ column: String) throws(SQLRowError) -> String {
        guard let text = try optionalText(column) else { throw SQLRowError(column: column, problem: "is NULL") }
        return text
    }

    public func optionalText(_ column: String) throws(SQLRowError) -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        default: throw SQLRowError(column: column, problem: "is not text")
        }
    }

    /// An integer column that must not be NULL.
    public func integer(_ column: String) throws(SQLRowError) -> Int64 {
        guard let value = try optionalInteger(column) else { throw SQLRowError(column: column, problem: "is NULL") }
        return value
    }

    public func optionalInteger(_ column: String) throws(SQLRowError) -> Int64? {
        switch try value(column) {
        case .null: return nil
        case .integer(let value): return value
        default: throw SQLRowError(column: column, problem: "is not an integer")
        }
    }

    /// A truth value (SQLite's 0 or 1, PostgreSQL's boolean); NULL is false.
    public func bool(_ column: String) throws(SQLRowError) -> Bool {
        try optionalInteger(column).map { $0 != 0 } ?? false
    }

    public func bytes(_ column: String) throws(SQLRowError) -> [UInt8]? {
        switch try value(column) {
        case .null: return nil
        case .bytes(let bytes): return bytes
        default: throw SQLRowError(column: column, problem: "is not bytes")
        }
    }
}
