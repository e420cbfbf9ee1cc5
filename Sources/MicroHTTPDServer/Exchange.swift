import BursarCore
import BursarHTTP

/// One request in flight on a connection: what has been read, and the response once known.
///
/// Owned by libmicrohttpd's per-request pointer (retained when the request starts,
/// released in the completion callback).
final class Exchange: Sendable {
    struct State {
        var headers: [String: String] = [:]
        var query: [String: String] = [:]
        var body: [UInt8] = []
        var bodyTooLarge = false
        var dispatched = false
        var response: Response?
    }

    let method: String
    let path: String
    let state = Locked(State())

    init(method: String, path: String) {
        self.method = method
        self.path = path
    }
}

/// A connection handle that may cross threads: libmicrohttpd allows resuming from any thread.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
