import HTTPToolkit
import Locking

/// One request in flight on a connection: what has been read, and the response once known.
///
/// Owned by libmicrohttpd's per-request pointer (retained when the request starts,
/// released in the completion callback).
final class Exchange: Sendable {
    struct State {
        var headers: [String: String] = [:]
        var query: [String: String] = [:]
        var body: [UInt8] = []
        /// Bytes of the shared budget held by this request's body (`MicroHTTPDServer.memory`).
        var reserved = 0
        var bodyTooLarge = false
        /// The shared body budget was spent: answered 503 once the body has passed.
        var overloaded = false
        /// Refused from its head: what the client still sends is read and dropped.
        var discardingBody = false
        var dispatched = false
        var response: Response?
    }

    /// The request's id, on its access-log line (`RequestID`).
    let id = RequestID.make()
    let method: String
    let path: String
    /// When the head arrived (for the access log).
    let started = ContinuousClock.now
    let state = Locked(State())
    /// What the handler holds of the shared budget for what the body decodes into.
    let lease: MemoryLease

    init(method: String, path: String, memory: MemoryBudget) {
        self.method = method
        self.path = path
        lease = MemoryLease(budget: memory)
    }
}

/// A connection handle that may cross threads: libmicrohttpd allows resuming from any thread.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
