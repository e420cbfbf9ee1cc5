import Foundation
import Synchronization

/// Work on a thread of its own between `start()` and `stop()`: one pass at once, then another
/// each time it is woken or the pause its last pass asked for has passed. Every background
/// job of the server is one (the ingest writer, the checkpointer, raw-event retention, the
/// budget monitor, each webhook's delivery, long-poll expiry).
public final class BackgroundService: Sendable {
    public let name: String
    private let wakeup = DispatchSemaphore(value: 0)
    private let woken = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String) {
        self.name = name
    }

    /// What a pass returns to end the thread for good (its work is done).
    public static let finish: Int64 = .min

    /// Starts the thread running `pass` (once; later calls do nothing). `pass` returns how
    /// many milliseconds to pause before the next one unless woken, or `finish`.
    public func start(_ pass: @escaping @Sendable () -> Int64) {
        guard !stopping.load(ordering: .acquiring), !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                // A wake from here on is seen: it signals, and the wait below returns at once.
                woken.store(false, ordering: .releasing)
                let pause = pass()
                guard pause != Self.finish, !stopping.load(ordering: .acquiring) else { break }
                _ = wakeup.wait(timeout: .now() + .milliseconds(Int(min(max(pause, 1), 3_600_000))))
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Runs a pass as soon as the one under way (if any) ends.
    public func wake() {
        if !woken.exchange(true, ordering: .acquiringAndReleasing) { wakeup.signal() }
    }

    /// Whether `start()` was called.
    public var isStarted: Bool { running.load(ordering: .acquiring) }

    /// Whether `stop()` was called (long passes check it between steps).
    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Stops after the pass under way and waits for the thread to end (once; later calls return).
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeup.signal()
        if running.load(ordering: .acquiring) { finished.wait() }
    }
}
