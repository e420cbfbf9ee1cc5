import BursarCore

/// The audit log: each admin change, written in the same transaction as the change.
public protocol AuditStore: Sendable {
    /// Entries in `[from, to)`, newest first; `target` matches exactly or as a prefix before '/'.
    func auditEntries(from: Int64, to: Int64, target: String?, limit: Int) throws -> [AuditEntry]
}

extension AuditStore {
    public func auditEntries(from: Int64, to: Int64, target: String? = nil) throws -> [AuditEntry] {
        try auditEntries(from: from, to: to, target: target, limit: 1000)
    }
}
