import BursarCore
import Synchronization

/// A clock for tests: standing still at a time, or running from one (or from the machine's
/// time), plus an offset the test moves forward, so that a key's cache running out or a router
/// falling silent is seen at once, not after a sleep.
public final class TestClock: Sendable {
    private let offset = Atomic<Int64>(0)
    /// The time before any move: fixed, running from a start, or the machine's.
    private let base: @Sendable () -> Int64

    /// Stands at `fixed`; or, without it, follows the machine's clock.
    public init(fixed: Int64? = nil) {
        if let fixed {
            base = { fixed }
        } else {
            base = { WallClock.system() }
        }
    }

    /// Runs from `start` at the machine's pace.
    public init(runningFrom start: Int64) {
        let started = WallClock.system()
        base = { start + WallClock.system() - started }
    }

    /// Told of each `advance`: the services waiting for a time of day wake.
    private let moves = ClockMoves()

    public var clock: WallClock {
        WallClock(moves: moves) { [self] in base() + offset.load(ordering: .relaxed) }
    }

    public func now() -> Int64 { clock() }

    /// Moves the clock forward; the background services sleeping towards a time wake at once.
    public func advance(seconds: Double) {
        offset.add(Int64(seconds * 1000), ordering: .relaxed)
        moves.tell()
    }

    /// 2026-11-18 12:00 UTC: a Wednesday, mid-month, midday (no day, week or month begins
    /// within days of it, in any zone).
    public static let midPeriod: Int64 = 1_795_003_200_000
}
