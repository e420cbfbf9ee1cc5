import Locking
import Dispatch

/// Runs handlers that may take long (reports, policy work, simulations, decoding another
/// format) on at most `width` threads of their own, so that the server's threads stay free
/// for what must always answer at once: health checks, bundle polls and ingest. Work of
/// different kinds gets different pools, so that one kind cannot hold back another.
public final class WorkPool: Sendable {
    private struct State {
        var waiting: [@Sendable () -> Void] = []
        var running = 0
    }

    /// What the pool runs, in the plural, for the answer when it is full ("reports").
    public let name: String
    public let width: Int
    public let maximumWaiting: Int
    private let state = Locked(State())

    public init(_ name: String = "requests", width: Int, maximumWaiting: Int = 1_000) {
        self.name = name
        self.width = max(1, width)
        self.maximumWaiting = maximumWaiting
    }

    /// How many items run now.
    public var running: Int { state.withLock { $0.running } }

    /// Queues `work`; false when `maximumWaiting` items already wait (the caller answers 503).
    public func submit(_ work: @escaping @Sendable () -> Void) -> Bool {
        let start: Bool? = state.withLock { state in
            guard state.waiting.count < maximumWaiting else { return nil }
            state.waiting.append(work)
            guard state.running < width else { return false }
            state.running += 1
            return true
        }
        guard let start else { return false }
        if start { DispatchQueue.global().async { self.drain() } }
        return true
    }

    /// One of at most `width` drainers: runs waiting work until there is none.
    private func drain() {
        while let work = state.withLock({ state -> (@Sendable () -> Void)? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }) {
            work()
        }
    }
}
