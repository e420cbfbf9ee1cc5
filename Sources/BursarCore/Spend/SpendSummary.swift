/// The headline figures for a period: spend, savings against the baseline, tier mix, forecast.
public struct SpendSummary: Sendable, Equatable {
    public var from: Int64
    public var to: Int64
    public var total: RollupMetrics
    /// Per tier, largest spend first.
    public var byTier: [(tier: String, metrics: RollupMetrics)]
    public var monthToDate: Money
    /// Nil when the projection is too large to represent.
    public var forecastMonth: Money?

    public init(from: Int64, to: Int64, total: RollupMetrics, byTier: [(tier: String, metrics: RollupMetrics)],
                monthToDate: Money, forecastMonth: Money?) {
        self.from = from
        self.to = to
        self.total = total
        self.byTier = byTier
        self.monthToDate = monthToDate
        self.forecastMonth = forecastMonth
    }

    public static func == (lhs: SpendSummary, rhs: SpendSummary) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.total == rhs.total
            && lhs.byTier.elementsEqual(rhs.byTier) { $0.tier == $1.tier && $0.metrics == $1.metrics }
            && lhs.monthToDate == rhs.monthToDate && lhs.forecastMonth == rhs.forecastMonth
    }

    /// Savings as a fraction of the baseline, to four decimals (0 when there is no baseline).
    public var savingsRatio: Double {
        get throws(CounterOverflow) { Self.ratio(try total.savings.nanos, total.baselineCost.nanos) }
    }

    public static func ratio(_ part: Int64, _ whole: Int64) -> Double {
        guard whole != 0 else { return 0 }
        return (Double(part) / Double(whole) * 10_000).rounded() / 10_000
    }
}
