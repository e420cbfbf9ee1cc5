/// What went wrong talking to PostgreSQL: the connection, or a statement (with its SQLSTATE).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Could not connect, or the connection was lost: try again once PostgreSQL is back.
        case connection
        /// PostgreSQL refused the statement (see `sqlState`).
        case statement
        /// A value PostgreSQL cannot hold (text with a NUL byte) or an answer Bursar cannot read.
        case value
    }

    public var kind: Kind
    /// The five-character SQLSTATE of a refused statement (`23505` unique violation...).
    public var sqlState: String?
    public var message: String

    public init(_ kind: Kind, sqlState: String? = nil, _ message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        sqlState.map { "PostgreSQL \($0): \(message)" } ?? "PostgreSQL: \(message)"
    }

    /// A row with the same unique key exists.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// Retrying the transaction may succeed (serialization failure, deadlock).
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// The server is gone or going (connection lost, shutting down, cannot connect now).
    public var isUnavailable: Bool {
        kind == .connection || sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } == true
    }
}
