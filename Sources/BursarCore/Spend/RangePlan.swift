/// Which rollup grain covers which part of a time range.
///
/// Whole UTC days come from day tables and the hours at either end from hour tables, so
/// that a month-long query reads about thirty rows per group, not seven hundred.
public struct RangePlan: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var grain: RollupGrain
        public var from: Int64
        public var to: Int64
    }

    public var segments: [Segment]

    public init(from: Int64, to: Int64, interval: SpendQuery.Interval?, grains: [RollupGrain] = RollupGrain.allCases) {
        if !grains.contains(.hour) {
            segments = [Segment(grain: .day, from: UTC.dayStart(from), to: UTC.dayStart(to + UTC.millisPerDay - 1))]
            return
        }
        if interval == .hour {
            segments = [Segment(grain: .hour, from: from, to: to)]
            return
        }
        let firstDay = UTC.dayStart(from + UTC.millisPerDay - 1)
        let lastDay = UTC.dayStart(to)
        guard firstDay < lastDay else {
            segments = [Segment(grain: .hour, from: from, to: to)]
            return
        }
        segments = [
            Segment(grain: .hour, from: from, to: firstDay),
            Segment(grain: .day, from: firstDay, to: lastDay),
            Segment(grain: .hour, from: lastDay, to: to),
        ].filter { $0.from < $0.to }
    }
}
