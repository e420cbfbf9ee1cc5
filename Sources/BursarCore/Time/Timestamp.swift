/// RFC 3339 timestamps to and from epoch milliseconds.
public enum Timestamp {
    /// Parses `2026-11-22T19:32:06Z`, `2026-11-22T19:32:06.123+01:00` and, when
    /// `allowDate` is set, a bare date `2026-11-22` (midnight UTC).
    public static func parse(_ text: some StringProtocol, allowDate: Bool = false) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { parse($0, allowDate: allowDate) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, allowDate: Bool = false) -> Int64? {
        var cursor = 0
        func number(_ width: Int) -> Int64? {
            guard cursor + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<width {
                let byte = bytes[cursor + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            cursor += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard cursor < bytes.count else { return false }
            let byte = bytes[cursor]
            guard characters.utf8.contains(byte) else { return false }
            cursor += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        if cursor == bytes.count { return allowDate ? days * UTC.millisPerDay : nil }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
              let second = number(2), hour < 24, minute < 60, second < 61 else { return nil }
        var millis: Int64 = 0
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
            cursor += 1
            var scale: Int64 = 100
            var sawDigit = false
            while cursor < bytes.count, bytes[cursor] >= 48, bytes[cursor] <= 57 {
                millis += Int64(bytes[cursor] - 48) * scale
                scale /= 10
                sawDigit = true
                cursor += 1
            }
            guard sawDigit else { return nil }
        }
        var offsetMinutes: Int64 = 0
        if expect("Zz") {
        } else if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "+") || bytes[cursor] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[cursor] == UInt8(ascii: "-") ? -1 : 1
            cursor += 1
            guard let offsetHours = number(2), expect(":"), let offsetMins = number(2),
                  offsetHours < 24, offsetMins < 60 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMins)
        } else {
            return nil
        }
        guard cursor == bytes.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    /// Formats epoch milliseconds as `2026-11-22T19:32:06Z` (with `.123` when there are milliseconds).
    public static func format(_ millis: Int64) -> String {
        let days = UTC.floorDiv(millis, UTC.millisPerDay)
        let date = CivilDate(daysSinceEpoch: days)
        let inDay = millis - days * UTC.millisPerDay
        let seconds = inDay / 1000
        let fraction = inDay % 1000
        var text = pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        text += "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        if fraction != 0 { text += "." + pad(fraction, 3) }
        return text + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
