import BursarCore
import Synchronization

/// A clock for tests: standing still at a time, or running from one (or from the machine's
/// time), plus an offset the test moves forward, so that a key's cache running out or a router
/// falling silent is seen at once, not after a sleep.
public final class TestClock: Sendable {
    private let offset = Atomic<Int64>(0)
    /// The time it stands at, or started from.
    private let origin: Int64
    /// When it started running, by the machine's clock (nil: it stands still).
    private let started: Int64?

    /// Stands at `fixed`; or, without it, follows the machine's clock.
    public init(fixed: Int64? = nil) {
        origin = fixed ?? 0
        started = fixed == nil ? 0 : nil
    }

    /// Runs from `start` at the machine's pace.
    public init(runningFrom start: Int64) {
        origin = start
        started = WallClock.system()
    }

    public var clock: WallClock {
        WallClock { [self] in
            let elapsed = started.map { WallClock.system() - $0 } ?? 0
            return origin + elapsed + offset.load(ordering: .relaxed)
        }
    }

    public func now() -> Int64 { clock() }

    public func advance(seconds: Double) {
        offset.add(Int64(seconds * 1000), ordering: .relaxed)
    }

    /// 2026-11-18 12:00 UTC: a Wednesday, mid-month, midday (no day, week or month begins
    /// within days of it, in any zone).
    public static let midPeriod: Int64 = 1_795_003_200_000
}
