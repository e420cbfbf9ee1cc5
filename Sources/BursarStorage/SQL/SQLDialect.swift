/// What SQL text differs between the backends the stores are written once for. The rest is
/// common: `?` parameters (PostgreSQL's session numbers them), `INSERT ... ON CONFLICT`,
/// `RETURNING`, `COUNT(*) FILTER (WHERE ...)` and row values all read the same on SQLite 3.35+.
public struct SQLDialect: Sendable {
    /// Follows a text column to order or compare it by its bytes (PostgreSQL's default
    /// collation follows the locale; SQLite's already compares bytes).
    public let bytewise: String
    /// Ends a SELECT whose rows stay locked until the transaction ends (SQLite has one writer
    /// at a time, so it needs none).
    public let forUpdate: String

    public static let sqlite = SQLDialect(bytewise: "", forUpdate: "")
    public static let postgres = SQLDialect(bytewise: " COLLATE \"C\"", forUpdate: " FOR UPDATE")
}
