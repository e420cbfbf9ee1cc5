import BursarCore
import Logging

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

    /// A refusal decided from the head alone, before any of the body is read (no route, no
    /// key, a key without the role, a body of a media type the route does not take); nil
    /// when the body may be read.
    func admit(method: String, path: String, header: (String) -> String?) -> Response?
}

extension Responder {
    public func quickResponse(method: String, path: String, header: (String) -> String?) -> Response? { nil }
    public func admit(method: String, path: String, header: (String) -> String?) -> Response? { nil }
}

/// Matches method and path to a handler, checks the caller's role, and renders errors.
public struct Router: Responder {
    public typealias Handler = @Sendable (Request, RequestContext) throws -> Reply

    struct Route {
        var method: String
        var segments: [Substring]
        /// Roles allowed; empty means no key is needed.
        var roles: Set<Role>
        /// Media types the body may have; empty when the route takes no body.
        var accepts: [String]
        var handler: Handler
    }

    private var routes: [Route] = []
    private let authenticator: Authenticator?
    private let logger: Logger
    /// Where the handlers of routes no router key may call run (nil: on the caller's thread).
    private let pool: WorkPool?
    /// Serves GET requests that no route matched (static files), or nil for 404.
    public var fallback: (@Sendable (Request) -> Response?)?

    public init(authenticator: Authenticator?, pool: WorkPool? = nil, logger: Logger = Logger(label: "bursar.api")) {
        self.authenticator = authenticator
        self.pool = pool
        self.logger = logger
    }

    /// Every route as (method, pattern, roles allowed; empty: no key needed), in the order
    /// added (for the API description's and the access tests).
    public var routeTable: [(method: String, pattern: String, roles: Set<Role>)] {
        routes.map { ($0.method, "/" + $0.segments.joined(separator: "/"), $0.roles) }
    }

    /// Adds a route; `pattern` segments in braces (`/v1/budgets/{id}`) become parameters;
    /// `accepts` lists the media types its body may have (415 for another, before it is read).
    public mutating func add(_ method: String, _ pattern: String, roles: Set<Role>, accepts: [String] = [],
                             _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), roles: roles, accepts: accepts,
                            handler: handler))
    }

    public func respond(to request: Request) -> Reply {
        rendered(request) { try route(request) }
    }

    /// The reply of `body`, with every error it throws rendered.
    private func rendered(_ request: Request, _ body: () throws -> Reply) -> Reply {
        do {
            return try body()
        } catch let error as HTTPError {
            return .response(error.response)
        } catch let overflow as CounterOverflow {
            return .response(HTTPError(422, overflow.fieldError).response)
        } catch {
            // Never the error's text to the client: it is logged with an id the client can quote.
            let id = Self.requestID()
            logger.error("unexpected error", metadata: ["request_id": "\(id)", "method": "\(request.method)",
                                                        "path": "\(request.path)", "error": "\(error)"])
            return .response(HTTPError(500, code: "internal", message: "an internal error occurred; it was logged as request \(id)",
                                       headers: [("X-Request-Id", id)]).response)
        }
    }

    /// A random id for a log line and the answer that refers to it.
    static func requestID() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    public func admit(method: String, path: String, header: (String) -> String?) -> Response? {
        do {
            let declared = header("content-length").map { $0 != "0" } ?? false
            _ = try resolve(method: method, path: path, header: header, hasBody: declared || header("transfer-encoding") != nil)
            return nil
        } catch let error as HTTPError {
            return error.response
        } catch {
            return HTTPError.unavailable("the request could not be checked; retry shortly").response
        }
    }

    private func route(_ request: Request) throws -> Reply {
        guard let (route, context) = try resolve(method: request.method, path: request.path, header: request.header,
                                                 hasBody: !request.body.isEmpty) else {
            guard let response = fallback?(request) else { throw HTTPError.notFound("no route for \(request.method) \(request.path)") }
            return request.method == "HEAD" ? .response(Response(status: response.status, headers: response.headers)) : .response(response)
        }
        guard let pool, !route.roles.isEmpty, !route.roles.contains(.router) else {
            let reply = try route.handler(request, context)
            return request.method == "HEAD" ? Self.withoutBody(reply) : reply
        }
        // Viewer and admin work (reports, policies, simulations) runs on the pool: however long
        // it takes, health checks, bundle polls and ingest keep the server's threads.
        let pending = PendingResponse()
        let accepted = pool.submit { [self] in
            let reply = rendered(request) { try route.handler(request, context) }
            (request.method == "HEAD" ? Self.withoutBody(reply) : reply).whenComplete(pending.complete)
        }
        guard accepted else { throw HTTPError.unavailable("too many reports and admin requests are waiting; retry shortly") }
        return .pending(pending)
    }

    /// The route for a head and the caller's key (401, 403, 404, 405 or 415 when there is
    /// none it may use); nil for a GET or HEAD that no route matches (the fallback's).
    private func resolve(method: String, path: String, header: (String) -> String?, hasBody: Bool) throws -> (Route, RequestContext)? {
        let segments = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            guard route.method == method || (route.method == "GET" && method == "HEAD") else {
                allowed.append(route.method)
                continue
            }
            var context = RequestContext(parameters: parameters)
            if !route.roles.isEmpty {
                context.key = try authenticate(authorization: header("authorization"), roles: route.roles)
            }
            if route.accepts.isEmpty, hasBody {
                throw Self.noBody(method: method, path: path)
            }
            if hasBody {
                let mediaType = header("content-type").map(Request.mediaType(of:)) ?? ""
                guard route.accepts.contains(mediaType) else {
                    throw HTTPError(415, code: "unsupported_media_type",
                                    message: "send the body as \(route.accepts.joined(separator: " or ")), not '\(mediaType)'",
                                    field: "Content-Type")
                }
            }
            return (route, context)
        }
        if !allowed.isEmpty {
            if allowed.contains("GET") { allowed.append("HEAD") }
            throw HTTPError(405, code: "method_not_allowed",
                            message: "\(method) is not allowed on \(path); use \(allowed.joined(separator: ", "))",
                            headers: [("Allow", allowed.joined(separator: ", "))])
        }
        guard method == "GET" || method == "HEAD", fallback != nil else {
            throw HTTPError.notFound("no route for \(method) \(path)")
        }
        if hasBody { throw Self.noBody(method: method, path: path) }
        return nil
    }

    /// A body sent where none is taken: refused before it is read, so it holds no memory.
    static func noBody(method: String, path: String) -> HTTPError {
        HTTPError(400, code: "body_not_allowed", message: "\(method) \(path) takes no body", field: "Content-Length")
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
