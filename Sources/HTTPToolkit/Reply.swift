import Locking
import Dispatch

/// What a handler returns: a response now, or one that a later event (a commit) completes.
public enum Reply: Sendable {
    case response(Response)
    case pending(PendingResponse)

    /// Calls `body` with the response: now, or once it is known.
    public func whenComplete(_ body: @escaping @Sendable (Response) -> Void) {
        switch self {
        case .response(let response): body(response)
        case .pending(let pending): pending.whenComplete(body)
        }
    }

    /// The same reply with `transform` applied to its response (now, or once it is known).
    public func map(_ transform: @escaping @Sendable (Response) -> Response) -> Reply {
        switch self {
        case .response(let response): return .response(transform(response))
        case .pending(let pending):
            let mapped = PendingResponse()
            pending.whenComplete { mapped.complete(transform($0)) }
            return .pending(mapped)
        }
    }

    /// Waits for the response (for tests and tools; servers suspend the connection instead).
    public func wait() -> Response {
        switch self {
        case .response(let response): return response
        case .pending(let pending): return pending.wait()
        }
    }
}

/// A response that will be known later. The server waits for it without holding a thread.
public final class PendingResponse: Sendable {
    private struct State {
        var response: Response?
        var waiter: (@Sendable (Response) -> Void)?
    }

    private let state = Locked(State())

    public init() {}

    /// Sets the response; the first call wins.
    public func complete(_ response: Response) {
        let waiter: (@Sendable (Response) -> Void)? = state.withLock { state in
            guard state.response == nil else { return nil }
            state.response = response
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?(response)
    }

    /// Calls `waiter` once with the response: now if it is known, else when it is.
    public func whenComplete(_ waiter: @escaping @Sendable (Response) -> Void) {
        let ready: Response? = state.withLock { state in
            if let response = state.response { return response }
            state.waiter = waiter
            return nil
        }
        if let ready { waiter(ready) }
    }

    public func wait() -> Response {
        let done = DispatchSemaphore(value: 0)
        whenComplete { _ in done.signal() }
        done.wait()
        return state.withLock { $0.response! }
    }
}
