/// Which rollup grain covers which part of a time range.
///
/// The range is walked from `from` to `to`, taking at each point the coarsest bucket that
/// starts there and lies inside the range: whole months from month tables, whole days from
/// day tables, the hours at the edges from hour tables. A bucket that runs past `to` may
/// still be used when nothing is stored after `to` (`dataEnd`), which makes "this month"
/// and "the last 30 days up to now" read one row per group for the current month.
public struct RangePlan: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var grain: RollupGrain
        /// Bucket starts: rows with `from <= bucket < to`.
        public var from: Int64
        public var to: Int64

        public init(grain: RollupGrain, from: Int64, to: Int64) {
            self.grain = grain
            self.from = from
            self.to = to
        }
    }

    public var segments: [Segment] = []

    /// - Parameters:
    ///   - grains: the grains the cuboid keeps.
    ///   - dataEnd: the end of the last hour that holds any data (nil: unknown, never stretch).
    public init(from: Int64, to: Int64, interval: SpendQuery.Interval?, grains: [RollupGrain] = RollupGrain.allCases,
                dataEnd: Int64? = nil) {
        let usable = grains.filter { grain in
            switch interval {
            case .hour: return grain == .hour
            case .day: return grain != .month
            case .month, nil: return true
            }
        }
        let nothingAfterTo = dataEnd.map { $0 <= to } ?? false
        let finest = [RollupGrain.hour, .day, .month].first(where: usable.contains) ?? .day
        var cursor = from
        while cursor < to {
            var chosen: (grain: RollupGrain, end: Int64)?
            for grain in [RollupGrain.month, .day, .hour] where usable.contains(grain) && grain.bucket(of: cursor) == cursor {
                let end = grain.bucketEnd(cursor)
                if end <= to || nothingAfterTo || grain == finest {
                    chosen = (grain, end)
                    break
                }
            }
            guard let (grain, end) = chosen else {
                // Not aligned to any kept grain (a day-only cuboid from mid-day): widen to the bucket.
                let grain = finest
                let start = grain.bucket(of: cursor)
                append(Segment(grain: grain, from: start, to: grain.bucketEnd(start)))
                cursor = grain.bucketEnd(start)
                continue
            }
            append(Segment(grain: grain, from: cursor, to: end))
            cursor = end
        }
    }

    private mutating func append(_ segment: Segment) {
        if let last = segments.last, last.grain == segment.grain, last.to == segment.from {
            segments[segments.count - 1].to = segment.to
        } else {
            segments.append(segment)
        }
    }
}
