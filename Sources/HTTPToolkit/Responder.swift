/// A server's one entry point: a request in, a reply out.
public protocol Responder: Sendable {
    func respond(to request: Request) -> Reply

    /// An answer decided from the method, path and headers alone, before a `Request` is
    /// built (for hot paths such as cache revalidations); nil to take the ordinary path.
    func quickResponse(method: String, path: String, header: (String) -> String?) -> Response?

    /// A refusal decided from the head alone, before any of the body is read (no route, no
    /// credentials, credentials without the permission, a body of a media type the route does
    /// not take); nil when the body may be read. `id` is the request's (`RequestID`).
    func admit(id: String, method: String, path: String, header: (String) -> String?) -> Response?
}

extension Responder {
    public func quickResponse(method: String, path: String, header: (String) -> String?) -> Response? { nil }
    public func admit(id: String, method: String, path: String, header: (String) -> String?) -> Response? { nil }
}
