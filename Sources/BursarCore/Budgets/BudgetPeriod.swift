import Foundation

/// A budget's calendar period (day, week or month) in a named time zone.
public enum BudgetPeriod: String, Sendable, CaseIterable {
    case day, week, month

    /// The period containing `time` (epoch milliseconds): `[start, end)`, also in epoch
    /// milliseconds. Calendar days, so a day with a DST change is 23 or 25 hours long.
    public func range(containing time: Int64, timeZone: TimeZone, weekStart: Weekday = .monday) -> (start: Int64, end: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = weekStart.calendarValue
        calendar.minimumDaysInFirstWeek = 1
        let date = Date(timeIntervalSince1970: Double(time) / 1000)
        let component: Calendar.Component
        switch self {
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        }
        guard let interval = calendar.dateInterval(of: component, for: date) else {
            return (UTC.dayStart(time), UTC.dayStart(time) + UTC.millisPerDay)
        }
        return (Int64((interval.start.timeIntervalSince1970 * 1000).rounded()), Int64((interval.end.timeIntervalSince1970 * 1000).rounded()))
    }

    public enum Weekday: String, Sendable, CaseIterable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// Foundation's numbering: Sunday is 1.
        var calendarValue: Int {
            switch self {
            case .sunday: return 1
            case .monday: return 2
            case .tuesday: return 3
            case .wednesday: return 4
            case .thursday: return 5
            case .friday: return 6
            case .saturday: return 7
            }
        }
    }
}
