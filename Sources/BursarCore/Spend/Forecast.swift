/// Month-end spend projected from the recent daily rate.
public enum Forecast {
    /// Month to date plus the recent rate carried over the time left in the month.
    ///
    /// `recent` is what was spent over the `recentMillis` just before now; integer
    /// arithmetic throughout, rounded half-to-even. Nil when the projection does not fit in
    /// 64 bits (over $9.2 billion): shown as "too large to forecast", never clamped or wrapped.
    public static func monthEnd(monthToDate: Money, recent: Money, recentMillis: Int64, remainingMillis: Int64) -> Money? {
        guard recentMillis > 0, remainingMillis > 0 else { return monthToDate }
        let projected = ModelPrice.divideHalfEven(Int128(recent.nanos) * Int128(remainingMillis), by: Int128(recentMillis))
        guard let nanos = Int64(exactly: Int128(monthToDate.nanos) + projected) else { return nil }
        return Money(nanos: nanos)
    }
}
