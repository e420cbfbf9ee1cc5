import BursarCore

/// Overrides, each with an optional expiry; every change audited.
public protocol OverrideStore: Sendable {
    /// Creates or replaces; true when it was created.
    @discardableResult
    func putOverride(_ override: Override) throws -> Bool
    @discardableResult
    func deleteOverride(id: String, actor: String) throws -> Bool
    func override(id: String) throws -> Override?
    /// Those in force at `time` (with `includeExpired`, every stored one).
    func overrides(activeAt time: Int64, includeExpired: Bool) throws -> [Override]
}

extension OverrideStore {
    public func overrides(activeAt time: Int64) throws -> [Override] {
        try overrides(activeAt: time, includeExpired: false)
    }
}
