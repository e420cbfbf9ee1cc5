import Foundation

/// Now, in milliseconds since the Unix epoch (UTC). Bursar reads the time of day only through
/// the one clock `serve` makes and hands down, so that a test can set and move it instead of
/// sleeping. (Durations measured for their own sake, such as a commit's, use a monotonic clock.)
public struct WallClock: Sendable {
    /// The longest a background service sleeps towards a time of day on the machine's clock:
    /// that clock may be stepped (NTP), and a deadline is then seen within this long.
    public static let longestSleepMillis: Int64 = 60_000

    private let read: @Sendable () -> Int64
    private let moves: ClockMoves?

    /// A clock read by `read`; `moves` tells when it is moved by more than time passing.
    public init(moves: ClockMoves? = nil, _ read: @escaping @Sendable () -> Int64) {
        self.read = read
        self.moves = moves
    }

    /// Calls `observer` whenever the clock is moved (never for the machine's clock).
    public func observeMoves(_ observer: @escaping @Sendable () -> Void) {
        moves?.observe(observer)
    }

    /// The machine's clock.
    public static let system = WallClock { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A clock that always reads `millis`.
    public static func fixed(_ millis: Int64) -> WallClock { WallClock { millis } }

    public func now() -> Int64 { read() }

    public func callAsFunction() -> Int64 { read() }
}
