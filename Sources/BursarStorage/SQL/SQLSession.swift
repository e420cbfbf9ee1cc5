/// One transaction on a backend, as the stores written once see it (`SQLDatabase`).
public protocol SQLSession {
    var dialect: SQLDialect { get }
    /// Runs one statement with `?` parameters bound to `values`.
    func run(_ sql: String, _ values: [SQLValue]) throws -> SQLResult
    /// Holds `target` (`budgets/ID`, `prices`...) until the transaction ends, so that replicas
    /// changing it at once take turns, each reading what the other wrote (even when it does
    /// not exist yet, where a row lock would lock nothing). A single writer needs no lock.
    func lock(_ target: String) throws
    /// Tells the other processes sharing the store of `change` once this transaction commits
    /// (this process's feed is told by `SQLDatabase.writing(announcing:)`).
    func announceToOthers(_ change: StoreChange) throws
}

extension SQLSession {
    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        try run(sql, values).changed
    }

    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
        try run(sql, values).rows
    }

    /// The first row, if any.
    public func row(_ sql: String, _ values: [SQLValue] = []) throws -> SQLRow? {
        try run(sql, values).rows.first
    }
}
