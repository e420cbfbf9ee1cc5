import BursarCore
import HTTPToolkit

/// Identifies callers by their API key (`Authorization: Bearer <key>`) and admits them by role.
public struct KeyGatekeeper: Gatekeeper {
    public let authenticator: Authenticator

    public func identify(authorization: String?, allowing roles: Set<Role>) throws -> APIKey {
        guard let authorization else {
            throw HTTPError(401, code: "unauthenticated", message: "an API key is required: send 'Authorization: Bearer <key>'",
                            headers: [("WWW-Authenticate", "Bearer")])
        }
        guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            throw HTTPError(401, code: "unauthenticated", message: "the Authorization header must be 'Bearer <key>'",
                            headers: [("WWW-Authenticate", "Bearer")])
        }
        let secret = String(authorization.dropFirst(7)).trimmingSpaces()
        guard let key = try authenticator.key(forSecret: secret) else {
            throw HTTPError(401, code: "unauthenticated", message: "the API key is not valid or has been revoked",
                            headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        }
        guard roles.contains(key.role) else {
            let needed = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw HTTPError(403, code: "forbidden", message: "this needs a \(needed) key; '\(key.name)' is a \(key.role.rawValue) key")
        }
        return key
    }

    public func name(of key: APIKey) -> String { key.name }
}

/// The API's router: callers are API keys, routes require roles.
public typealias APIRouter = Router<KeyGatekeeper>
/// What an API handler gets besides the request.
public typealias APIContext = RequestContext<APIKey>

extension RequestContext where Identity == APIKey {
    /// The caller's key (nil on routes that need none).
    public var key: APIKey? { identity }
}

extension Router where Keeper == KeyGatekeeper {
    /// Adds a route for keys of `roles` (empty: no key needed). Unless told where, a route no
    /// router key may call runs on a pool: admin-only routes on the admin lane, the rest on
    /// the reports lane, so that however long they take, health checks, bundle polls and
    /// ingest keep the server's threads and viewers never hold back an admin.
    mutating func add(_ method: String, _ pattern: String, roles: Set<Role>, accepts: [String] = [], lanes: WorkLanes,
                      on pool: WorkPool? = nil, _ handler: @escaping Handler) {
        let lane = pool ?? (roles.isEmpty || roles.contains(.router) ? nil : roles == [.admin] ? lanes.admin : lanes.reports)
        add(method, pattern, permissions: roles, accepts: accepts, on: lane, handler)
    }
}
