import Logging

/// Matches method and path to a handler, checks the caller's permission, and renders errors.
public struct Router<Keeper: Gatekeeper>: Responder {
    public typealias Context = RequestContext<Keeper.Identity>
    public typealias Handler = @Sendable (Request, Context) throws -> Reply

    struct Route {
        var method: String
        var segments: [Substring]
        /// Permissions that admit a caller; empty means no credentials are needed.
        var permissions: Set<Keeper.Permission>
        /// Media types the body may have; empty when the route takes no body.
        var accepts: [String]
        /// Where the handler runs (nil: on the server's thread).
        var pool: WorkPool?
        var handler: Handler
    }

    private var routes: [Route] = []
    private let gatekeeper: Keeper
    private let logger: Logger
    /// Errors other than `HTTPError` that have an answer of their own (nil: a generic 500).
    private let translate: @Sendable (any Error) -> HTTPError?
    /// Serves GET requests that no route matched (static files), or nil for 404.
    public var fallback: (@Sendable (Request) -> Response?)?

    public init(gatekeeper: Keeper, logger: Logger,
                translate: @escaping @Sendable (any Error) -> HTTPError? = { _ in nil }) {
        self.gatekeeper = gatekeeper
        self.logger = logger
        self.translate = translate
    }

    /// Every route as (method, pattern, permissions; empty: no credentials needed), in the
    /// order added (for an API description and access tests).
    public var routeTable: [(method: String, pattern: String, permissions: Set<Keeper.Permission>)] {
        routes.map { ($0.method, "/" + $0.segments.joined(separator: "/"), $0.permissions) }
    }

    /// Adds a route; `pattern` segments in braces (`/v1/budgets/{id}`) become parameters;
    /// `accepts` lists the media types its body may have (415 for another, before it is read);
    /// a handler given a `pool` runs there, so that however long it takes the server's
    /// threads stay free.
    public mutating func add(_ method: String, _ pattern: String, permissions: Set<Keeper.Permission>, accepts: [String] = [],
                             on pool: WorkPool? = nil, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), permissions: permissions,
                            accepts: accepts, pool: pool, handler: handler))
    }

    public func respond(to request: Request) -> Reply {
        var caller: String?
        let reply = rendered(request) { try route(request, caller: &caller) }
        guard let caller else { return reply }
        return reply.map { response in
            var response = response
            response.caller = caller
            return response
        }
    }

    /// The reply of `body`, with every error it throws rendered.
    private func rendered(_ request: Request, _ body: () throws -> Reply) -> Reply {
        do {
            return try body()
        } catch let error as HTTPError {
            return .response(error.response)
        } catch {
            if let known = translate(error) { return .response(known.response) }
            // Never the error's text to the client: it is logged with an id the client can quote.
            let id = request.id
            logger.error("unexpected error", metadata: ["request_id": "\(id)", "method": "\(request.method)",
                                                        "path": "\(request.path)", "error": "\(error)"])
            return .response(HTTPError(500, code: "internal", message: "an internal error occurred; it was logged as request \(id)",
                                       headers: [("X-Request-Id", id)]).response)
        }
    }

    public func admit(id: String, method: String, path: String, header: (String) -> String?) -> Response? {
        do {
            let declared = header("content-length").map { $0 != "0" } ?? false
            _ = try resolve(method: method, path: path, header: header, hasBody: declared || header("transfer-encoding") != nil)
            return nil
        } catch let error as HTTPError {
            return error.response
        } catch {
            if let known = translate(error) { return known.response }
            // The key lookup failed (the database is not answering): logged with an id the
            // client can quote, never its text.
            logger.error("could not admit a request", metadata: ["request_id": "\(id)", "method": "\(method)", "path": "\(path)",
                                                               "error": "\(error)"])
            return HTTPError(503, code: "unavailable", message: "the request could not be checked; retry shortly (logged as request \(id))",
                             headers: [("Retry-After", "1"), ("X-Request-Id", id)]).response
        }
    }

    /// The route's reply; `caller` names who it is answered for, once known.
    private func route(_ request: Request, caller: inout String?) throws -> Reply {
        guard let (route, context) = try resolve(method: request.method, path: request.path, header: request.header,
                                                 hasBody: !request.body.isEmpty) else {
            guard let response = fallback?(request) else { throw HTTPError.notFound("no route for \(request.method) \(request.path)") }
            return request.method == "HEAD" ? .response(Response(status: response.status, headers: response.headers)) : .response(response)
        }
        caller = context.identity.map(gatekeeper.name(of:))
        guard let pool = route.pool else {
            let reply = try route.handler(request, context)
            return request.method == "HEAD" ? Self.withoutBody(reply) : reply
        }
        let pending = PendingResponse()
        let accepted = pool.submit { [self] in
            let reply = rendered(request) { try route.handler(request, context) }
            (request.method == "HEAD" ? Self.withoutBody(reply) : reply).whenComplete(pending.complete)
        }
        guard accepted else { throw HTTPError.unavailable("too many \(pool.name) are waiting; retry shortly") }
        return .pending(pending)
    }

    /// The route for a head and the caller's identity (401, 403, 404, 405 or 415 when there
    /// is none it may use); nil for a GET or HEAD that no route matches (the fallback's).
    private func resolve(method: String, path: String, header: (String) -> String?, hasBody: Bool) throws -> (Route, Context)? {
        let segments = path.split(separator: "/")
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            guard route.method == method || (route.method == "GET" && method == "HEAD") else {
                allowed.append(route.method)
                continue
            }
            var context = Context(parameters: parameters)
            if !route.permissions.isEmpty {
                context.identity = try gatekeeper.identify(authorization: header("authorization"), allowing: route.permissions)
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
