import BursarCore

/// A backend that runs SQL sessions: what the admin stores (`Stores/`) are written once over.
/// The hot paths (ingest commits, rollup reads, COPY, binary reads) stay each backend's own.
public protocol SQLDatabase: Sendable {
    /// Stamps what is written (audit entries, key and policy times).
    var clock: WallClock { get }
    /// Runs `body` in one read-only transaction that sees one snapshot.
    func reading<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Runs `body` in one transaction; with `change`, this process's change feed and the other
    /// processes sharing the store hear of it once it commits.
    @discardableResult
    func writing<T>(announcing change: StoreChange?, _ body: (any SQLSession) throws -> T) throws -> T
}

extension SQLDatabase {
    @discardableResult
    func writing<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try writing(announcing: nil, body)
    }

    /// Records an admin change in the same transaction as the change.
    func recordAudit(actor: String, action: String, target: String, before: JSONValue?, after: JSONValue?,
                     _ session: any SQLSession) throws {
        try session.execute("INSERT INTO audit_log (time, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                            [.integer(clock()), .text(actor), .text(action), .text(target),
                             SQLValue(JSONValue.auditText(before)), SQLValue(JSONValue.auditText(after))])
    }
}
