import BursarCore
import Synchronization

/// A clock for tests: the machine's time plus an offset the test moves forward, so that a
/// key's cache running out or a router falling silent is seen at once, not after a sleep.
public final class TestClock: Sendable {
    private let offset = Atomic<Int64>(0)
    private let fixed: Int64?

    /// Follows the machine's clock (until moved); or stands at `fixed` (plus what it is moved).
    public init(fixed: Int64? = nil) {
        self.fixed = fixed
    }

    public var clock: WallClock {
        WallClock { [self] in (fixed ?? WallClock.system()) + offset.load(ordering: .relaxed) }
    }

    public func now() -> Int64 { clock() }

    public func advance(seconds: Double) {
        offset.add(Int64(seconds * 1000), ordering: .relaxed)
    }
}
