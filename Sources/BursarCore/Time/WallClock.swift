import Foundation

/// Now, in milliseconds since the Unix epoch (UTC). Bursar reads the time of day only through
/// the one clock `serve` makes and hands down, so that a test can set and move it instead of
/// sleeping. (Durations measured for their own sake, such as a commit's, use a monotonic clock.)
public struct WallClock: Sendable {
    private let read: @Sendable () -> Int64

    public init(_ read: @escaping @Sendable () -> Int64) {
        self.read = read
    }

    /// The machine's clock.
    public static let system = WallClock { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A clock that always reads `millis`.
    public static func fixed(_ millis: Int64) -> WallClock { WallClock { millis } }

    public func now() -> Int64 { read() }

    public func callAsFunction() -> Int64 { read() }
}
