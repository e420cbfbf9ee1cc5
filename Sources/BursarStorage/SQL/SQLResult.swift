/// What one statement returned: its rows, and how many rows it inserted, updated or deleted.
public struct SQLResult: Sendable {
    public let rows: [SQLRow]
    public let changed: Int

    public init(rows: [SQLRow], changed: Int) {
        self.rows = rows
        self.changed = changed
    }
}
