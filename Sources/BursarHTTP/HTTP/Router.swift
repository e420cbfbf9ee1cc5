import BursarCore

/// Everything a handler gets besides the request: path parameters and the caller's key.
public struct RequestContext: Sendable {
    public var parameters: [String: String] = [:]
    public var key: APIKey?
}

/// The API's one entry point: a request in, a reply out.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Reply

    /// An answer decided from the method, path and headers alone, before a `Request` is
    /// built (for hot paths such as bundle 304s); nil to take the ordinary path.
    func quickResponse(method: String, path: String, header: (String) -> String?) -> Response?
}

extension Responder {
    public func quickResponse(method: String, path: String, header: (String) -> String?) -> Response? { nil }
}

/// Matches method and path to a handler, checks the caller's role, and renders errors.
public struct Router: Responder {
    public typealias Handler = @Sendable (Request, RequestContext) throws -> Reply

    struct Route {
        var method: String
        var segments: [Substring]
        /// Roles allowed; empty means no key is needed.
        var roles: Set<Role>
        var handler: Handler
    }

    private var routes: [Route] = []
    private let authenticator: Authenticator?
    /// Serves GET requests that no route matched (static files), or nil for 404.
    public var fallback: (@Sendable (Request) -> Response?)?

    public init(authenticator: Authenticator?) {
        self.authenticator = authenticator
    }

    /// Every route as (method, pattern, roles allowed; empty: no key needed), in the order
    /// added (for the API description's and the access tests).
    public var routeTable: [(method: String, pattern: String, roles: Set<Role>)] {
        routes.map { ($0.method, "/" + $0.segments.joined(separator: "/"), $0.roles) }
    }

    /// Adds a route; `pattern` segments in braces (`/v1/budgets/{id}`) become parameters.
    public mutating func add(_ method: String, _ pattern: String, roles: Set<Role>, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), roles: roles, handler: handler))
    }

    public func respond(to request: Request) -> Reply {
        do {
            return try route(request)
        } catch let error as HTTPError {
            return .response(error.response)
        } catch let overflow as CounterOverflow {
            return .response(HTTPError(422, overflow.fieldError).response)
        } catch {
            return .response(HTTPError(500, code: "internal", message: "internal error: \(error)").response)
        }
    }

    private func route(_ request: Request) throws -> Reply {
        let segments = request.path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            guard route.method == request.method || (route.method == "GET" && request.method == "HEAD") else {
                allowed.append(route.method)
                continue
            }
            var context = RequestContext(parameters: parameters)
            if !route.roles.isEmpty {
                context.key = try authenticate(request, roles: route.roles)
            }
            let reply = try route.handler(request, context)
            return request.method == "HEAD" ? Self.withoutBody(reply) : reply
        }
        if !allowed.isEmpty {
            if allowed.contains("GET") { allowed.append("HEAD") }
            throw HTTPError(405, code: "method_not_allowed",
                            message: "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))",
                            headers: [("Allow", allowed.joined(separator: ", "))])
        }
        if request.method == "GET" || request.method == "HEAD", let response = fallback?(request) {
            return request.method == "HEAD" ? .response(Response(status: response.status, headers: response.headers)) : .response(response)
        }
        throw HTTPError.notFound("no route for \(request.method) \(request.path)")
    }

    private func authenticate(_ request: Request, roles: Set<Role>) throws -> APIKey {
        try authenticate(authorization: request.header("authorization"), roles: roles)
    }

    /// The caller's key from an `Authorization` header, if it has one of `roles`.
    func authenticate(authorization: String?, roles: Set<Role>) throws -> APIKey {
        guard let authorization else {
            throw HTTPError(401, code: "unauthenticated", message: "an API key is required: send 'Authorization: Bearer <key>'",
                            headers: [("WWW-Authenticate", "Bearer")])
        }
        guard authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            throw HTTPError(401, code: "unauthenticated", message: "the Authorization header must be 'Bearer <key>'",
                            headers: [("WWW-Authenticate", "Bearer")])
        }
        let secret = String(authorization.dropFirst(7)).trimmingSpaces()
        guard let key = try authenticator?.key(forSecret: secret) else {
            throw HTTPError(401, code: "unauthenticated", message: "the API key is not valid or has been revoked",
                            headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        }
        guard roles.contains(key.role) else {
            let needed = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw HTTPError(403, code: "forbidden", message: "this needs a \(needed) key; '\(key.name)' is a \(key.role.rawValue) key")
        }
        return key
    }

    private static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.first == "{", expected.last == "}" {
                parameters[String(expected.dropFirst().dropLast())] = String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }

    private static func withoutBody(_ reply: Reply) -> Reply {
        guard case .response(var response) = reply else { return reply }
        response.body = []
        return .response(response)
    }
}
