import Dispatch
import Locking

/// Batches handed from the thread that reads them to the thread that writes them, at most
/// `capacity` waiting, so that reading one batch and writing the one before run at once.
/// Either side may stop: the writer by `cancel()` (the reader's next `put` throws), the reader
/// by `finish(throwing:)` (the writer's `take` returns nil, or throws the reader's error).
final class BatchHandoff<Batch: Sendable>: Sendable {
    struct Cancelled: Error {}

    private let state = Locked<(waiting: [Batch], finished: Bool, failure: (any Error)?, cancelled: Bool)>(([], false, nil, false))
    private let free = DispatchSemaphore(value: 0)
    private let ready = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        // Signalled up rather than made with the capacity: a semaphore freed below the value it
        // was made with traps, as this one is when the writer stops with batches still waiting.
        for _ in 0..<capacity { free.signal() }
    }

    /// Waits for room, then hands `batch` over; throws `Cancelled` once the writer stopped.
    func put(_ batch: Batch) throws {
        free.wait()
        try state.withLock { state throws(Cancelled) in
            guard !state.cancelled else { throw Cancelled() }
            state.waiting.append(batch)
        }
        ready.signal()
    }

    /// No more batches; with an error, the writer's `take` throws it.
    func finish(throwing failure: (any Error)? = nil) {
        state.withLock { state in
            state.finished = true
            state.failure = failure
        }
        ready.signal()
    }

    /// The next batch, waiting for it; nil after the last.
    func take() throws -> Batch? {
        ready.wait()
        let next = state.withLock { state -> Result<Batch?, any Error> in
            if !state.waiting.isEmpty { return .success(state.waiting.removeFirst()) }
            if let failure = state.failure { return .failure(failure) }
            return .success(nil)
        }
        if case .success(.some) = next { free.signal() } else { ready.signal() }
        return try next.get()
    }

    /// The writer stops taking: the reader's waiting or next `put` throws `Cancelled`.
    func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
    }
}
