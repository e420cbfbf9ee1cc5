import Locking
import BursarCore

/// How long group commits take, counted in Prometheus-style cumulative buckets (seconds).
public final class CommitDurations: Sendable {
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    public struct Snapshot: Sendable {
        /// Commits at or under each bound, cumulative (as the exposition format wants).
        public var cumulativeCounts: [Int]
        public var count: Int
        public var sumSeconds: Double
    }

    private struct State {
        var counts = [Int](repeating: 0, count: CommitDurations.bounds.count)
        var count = 0
        var sum = 0.0
    }

    private let state = Locked(State())

    public init() {}

    public func record(seconds: Double) {
        state.withLock { state in
            if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { state.counts[index] += 1 }
            state.count += 1
            state.sum += seconds
        }
    }

    public var snapshot: Snapshot {
        state.withLock { state in
            var running = 0
            let cumulative = state.counts.map { running += $0; return running }
            return Snapshot(cumulativeCounts: cumulative, count: state.count, sumSeconds: state.sum)
        }
    }
}
