/// Calendar arithmetic in UTC on epoch milliseconds, without Foundation's calendars.
public enum UTC {
    public static let millisPerHour: Int64 = 3_600_000
    public static let millisPerDay: Int64 = 86_400_000

    public static func hourStart(_ millis: Int64) -> Int64 { floor(millis, millisPerHour) }
    public static func dayStart(_ millis: Int64) -> Int64 { floor(millis, millisPerDay) }

    public static func monthStart(_ millis: Int64) -> Int64 {
        let date = CivilDate(daysSinceEpoch: floorDiv(millis, millisPerDay))
        return CivilDate(year: date.year, month: date.month, day: 1).daysSinceEpoch * millisPerDay
    }

    public static func nextMonthStart(_ millis: Int64) -> Int64 {
        let date = CivilDate(daysSinceEpoch: floorDiv(millis, millisPerDay))
        let next = date.month == 12
            ? CivilDate(year: date.year + 1, month: 1, day: 1)
            : CivilDate(year: date.year, month: date.month + 1, day: 1)
        return next.daysSinceEpoch * millisPerDay
    }

    static func floor(_ value: Int64, _ unit: Int64) -> Int64 { floorDiv(value, unit) * unit }

    static func floorDiv(_ value: Int64, _ unit: Int64) -> Int64 {
        let quotient = value / unit
        return (value % unit != 0 && value < 0) ? quotient - 1 : quotient
    }
}

/// A proleptic Gregorian date, converted to and from days since 1970-01-01.
public struct CivilDate: Hashable, Sendable {
    public var year: Int64
    public var month: Int64
    public var day: Int64

    public init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Howard Hinnant's days_from_civil.
    public var daysSinceEpoch: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Howard Hinnant's civil_from_days.
    public init(daysSinceEpoch: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
