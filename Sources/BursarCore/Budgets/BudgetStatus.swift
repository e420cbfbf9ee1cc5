/// Where a budget stands in its current period.
public struct BudgetStatus: Sendable, Equatable {
    public enum State: String, Sendable { case ok, warning, exceeded }

    public var budget: Budget
    public var periodStart: Int64
    public var periodEnd: Int64
    public var spent: Money
    /// Nil when the projection is too large to represent.
    public var forecast: Money?
    public var state: State

    /// Works out the state from what was spent between the period's start and `now`.
    public init(budget: Budget, periodStart: Int64, periodEnd: Int64, spent: Money, now: Int64) {
        self.budget = budget
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.spent = spent
        forecast = Forecast.monthEnd(monthToDate: spent, recent: spent, recentMillis: max(now - periodStart, 1),
                                     remainingMillis: max(periodEnd - now, 0))
        if spent >= budget.limit {
            state = .exceeded
        } else if Int128(spent.nanos) * 10_000 >= Int128(budget.limit.nanos) * Int128(budget.warnAtBasisPoints) {
            state = .warning
        } else {
            state = .ok
        }
    }

    public var remaining: Money {
        get throws(CounterOverflow) { try budget.limit.subtracting(spent, counter: "remaining") }
    }

    /// A sentence that says why the budget is in its state.
    public var explanation: String {
        let percent = budget.limit.nanos > 0 ? Int128(spent.nanos) * 100 / Int128(budget.limit.nanos) : 0
        let warnPercent = budget.warnAtBasisPoints / 100
        let spentText = "Spent \(Self.dollars(spent)) of \(Self.dollars(budget.limit)) (\(percent)%) this \(budget.period.rawValue)"
        switch state {
        case .exceeded:
            let consequence: String
            switch budget.action {
            case .alert: consequence = "routing is unchanged; this is an alert"
            case .downgrade: consequence = "requests in scope go to the \(budget.downgradeTo ?? "downgrade") tier"
            case .block: consequence = "requests in scope are blocked"
            }
            return "\(spentText): over the limit, so \(consequence) until the period ends."
        case .warning:
            return "\(spentText): past the \(warnPercent)% warning line; at this rate the \(budget.period.rawValue) ends at \(Self.forecastText(forecast))."
        case .ok:
            return "\(spentText): under the \(warnPercent)% warning line; at this rate the \(budget.period.rawValue) ends at \(Self.forecastText(forecast))."
        }
    }

    static func forecastText(_ forecast: Money?) -> String {
        forecast.map(dollars) ?? "more than can be forecast"
    }

    /// `$1,234.56` (cents, rounded half to even) for sentences; the API's amounts stay exact.
    static func dollars(_ money: Money) -> String {
        let cents = ModelPrice.divideHalfEven(Int128(money.nanos), by: 10_000_000)
        let negative = cents < 0
        let magnitude = cents.magnitude
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let fraction = magnitude % 100
        return (negative ? "-$" : "$") + whole + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    public var json: JSONValue {
        get throws(CounterOverflow) {
        .object([
            ("id", .string(budget.id)),
            ("state", .string(state.rawValue)),
            ("period_start", .string(Timestamp.format(periodStart))),
            ("period_end", .string(Timestamp.format(periodEnd))),
            ("spent_usd", .money(spent)),
            ("remaining_usd", .money(try remaining)),
            ("forecast_usd", forecast.map(JSONValue.money) ?? .null),
            ("limit_usd", .money(budget.limit)),
            ("action", .string(budget.action.rawValue)),
            ("downgrade_to", budget.downgradeTo.map(JSONValue.string) ?? .null),
            ("explanation", .string(explanation)),
        ])
        }
    }
}
