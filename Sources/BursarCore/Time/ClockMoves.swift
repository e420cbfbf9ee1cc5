import Locking

/// Tells who waits for a time of day that a clock was moved (a test's clock is moved forward
/// at once), so that background services sleep until their next deadline instead of polling
/// the clock, and still wake when a test moves it past that deadline.
public final class ClockMoves: Sendable {
    private let observers = Locked<[@Sendable () -> Void]>([])

    public init() {}

    public func observe(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// The clock was moved: every observer is told.
    public func tell() {
        for observer in observers.withLock({ $0 }) { observer() }
    }
}
