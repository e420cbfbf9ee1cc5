/// Month-end spend projected from the recent daily rate.
public enum Forecast {
    /// Month to date plus the recent rate carried over the time left in the month.
    ///
    /// `recent` is what was spent over the `recentMillis` just before now; integer
    /// arithmetic throughout, rounded half-to-even.
    public static func monthEnd(monthToDate: Money, recent: Money, recentMillis: Int64, remainingMillis: Int64) -> Money {
        guard recentMillis > 0, remainingMillis > 0 else { return monthToDate }
        let projected = ModelPrice.divideHalfEven(Int128(recent.nanos) * Int128(remainingMillis), by: Int128(recentMillis))
        return monthToDate + Money(nanos: Int64(clamping: projected))
    }
}
