import BursarCore

/// API keys: stored as SHA-256 digests of their secrets; every change audited.
public protocol KeyStore: Sendable {
    /// Creates a key and returns its secret (never stored; it cannot be shown again).
    func createKey(name: String, role: Role, sources: SourceGrant?, actor: String) throws -> String
    func revokeKey(name: String, actor: String) throws
    func listKeys() throws -> [APIKey]
    /// The active key whose secret this is.
    func authenticate(secret: String) throws -> APIKey?
    func hasKeys() throws -> Bool
}

extension KeyStore {
    public func createKey(name: String, role: Role, sources: SourceGrant? = nil) throws -> String {
        try createKey(name: name, role: role, sources: sources, actor: "command line")
    }

    public func revokeKey(name: String) throws {
        try revokeKey(name: name, actor: "command line")
    }
}
