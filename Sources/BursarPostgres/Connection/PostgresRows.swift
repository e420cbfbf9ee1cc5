/// The rows a statement returned (in PostgreSQL's text format), and how many rows it changed.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public struct Row: Sendable {
        let fields: [String?]

        /// Whether the field at `index` is NULL.
        public func isNull(_ index: Int) -> Bool { fields[index] == nil }

        public func string(_ index: Int) -> String? { fields[index] }

        /// A text field that must not be NULL.
        public func text(_ index: Int) throws(PostgresError) -> String {
            guard let text = fields[index] else { throw PostgresError(.value, "column \(index) is NULL") }
            return text
        }

        /// An integer field that must not be NULL.
        public func integer(_ index: Int) throws(PostgresError) -> Int64 {
            guard let value = try int64(index) else { throw PostgresError(.value, "column \(index) is NULL") }
            return value
        }

        public func int64(_ index: Int) throws(PostgresError) -> Int64? {
            guard let text = fields[index] else { return nil }
            guard let value = Int64(text) else { throw PostgresError(.value, "column \(index) holds '\(text.prefix(40))', not an integer") }
            return value
        }

        public func double(_ index: Int) throws(PostgresError) -> Double? {
            guard let text = fields[index] else { return nil }
            switch text {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default:
                guard let value = Double(text) else { throw PostgresError(.value, "column \(index) holds '\(text.prefix(40))', not a number") }
                return value
            }
        }

        public func bool(_ index: Int) throws(PostgresError) -> Bool? {
            guard let text = fields[index] else { return nil }
            switch text {
            case "t": return true
            case "f": return false
            default: throw PostgresError(.value, "column \(index) holds '\(text.prefix(40))', not a boolean")
            }
        }

        /// A bytea field (PostgreSQL's hex output, `\x...`).
        public func bytes(_ index: Int) throws(PostgresError) -> [UInt8]? {
            guard let text = fields[index] else { return nil }
            guard text.hasPrefix("\\x"), let bytes = PostgresHex.decode(text.dropFirst(2).utf8) else {
                throw PostgresError(.value, "column \(index) is not bytea in hex")
            }
            return bytes
        }
    }

    /// The result's column names, in order.
    public let columns: [String]
    /// Each column's type (its `pg_type` oid), in order.
    public let types: [UInt32]
    let rows: [Row]
    /// Rows inserted, updated, deleted, copied or returned by a query (PostgreSQL's command count).
    public let changed: Int
    /// The command tag (`INSERT 0 3`, `COMMIT`, or `ROLLBACK` for a COMMIT of a failed transaction).
    public let command: String

    init(columns: [String], types: [UInt32], rows: [Row], changed: Int, command: String = "") {
        self.columns = columns
        self.types = types
        self.rows = rows
        self.changed = changed
        self.command = command
    }

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> Row { rows[position] }
}
