/// Who is calling, decided from the `Authorization` header before any body is read.
public protocol Gatekeeper: Sendable {
    /// What a caller is known as once identified (an API key, a user).
    associatedtype Identity: Sendable
    /// What a route may require of its callers (roles, scopes).
    associatedtype Permission: Hashable & Sendable

    /// The caller holding one of `permissions` (never empty), or an `HTTPError`: 401 for
    /// missing or unknown credentials, 403 for credentials without the permission.
    func identify(authorization: String?, allowing permissions: Set<Permission>) throws -> Identity

    /// How the access log names a caller (never a secret).
    func name(of identity: Identity) -> String
}

/// Everything a handler gets besides the request: path parameters and who is calling.
public struct RequestContext<Identity: Sendable>: Sendable {
    public var parameters: [String: String] = [:]
    /// Nil on routes that require no permission.
    public var identity: Identity?

    public init(parameters: [String: String] = [:], identity: Identity? = nil) {
        self.parameters = parameters
        self.identity = identity
    }

    /// A route has no parameter of that name: its handler and its pattern disagree (answered
    /// as an internal error, logged with a request id).
    public struct MissingParameter: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "the route has no parameter {\(name)}" }
    }

    /// The path parameter `name` of the route's pattern (`/v1/budgets/{id}`).
    public func require(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw MissingParameter(name: name) }
        return value
    }
}

/// For routers whose routes need no credentials: a route that requires a permission
/// refuses every caller (401).
public struct NoCredentials: Gatekeeper {
    public init() {}

    public func identify(authorization: String?, allowing permissions: Set<String>) throws -> Never {
        throw HTTPError(401, code: "unauthenticated", message: "this server takes no credentials")
    }

    public func name(of identity: Never) -> String {}
}
