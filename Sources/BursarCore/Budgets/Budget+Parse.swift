import Foundation

extension Budget {
    /// Reads a budget from a request body, naming the field that is wrong.
    ///
    /// Per-user spend is kept by UTC day, so a budget scoped to a user counts in UTC; other
    /// budgets may name any IANA zone whose offset from UTC is a whole number of hours.
    public static func parse(id: String, _ body: JSONValue, tiers: Set<String>?, now: Int64) throws(FieldError) -> Budget {
        guard case .object(let members) = body else { throw FieldError(code: "invalid_body", message: "a budget is a JSON object") }
        let allowed: Set<String> = ["scope", "period", "timezone", "week_start", "limit_usd", "warn_at", "action", "downgrade_to"]
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw .invalid(unknown.0, "is not a budget field (\(allowed.sorted().joined(separator: ", ")))")
        }
        guard !id.isEmpty, id.utf8.count <= 100, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalid("id", "must be 1 to 100 bytes of letters, digits, '-', '_' or '.'")
        }
        var scope: [RollupDimension: String] = [:]
        if let value = body[member: "scope"], value != .null {
            guard case .object(let pairs) = value else { throw .invalid("scope", "must be an object such as {\"feature\":\"support-chat\"}") }
            for (name, value) in pairs {
                guard let dimension = RollupDimension(rawValue: name), scopes.contains(dimension) else {
                    throw .invalid("scope.\(name)", "must be one of: \(scopes.map(\.rawValue).joined(separator: ", "))")
                }
                guard let text = value.stringValue else { throw .invalid("scope.\(name)", "must be a non-empty string") }
                try StoredText.check(text, field: "scope.\(name)", maximumBytes: EventFields.maximumTextLength)
                if dimension == .tier, let tiers, !tiers.contains(text) {
                    throw .invalid("scope.tier", "'\(text)' is not a tier of the active policy (\(tiers.sorted().joined(separator: ", ")))")
                }
                scope[dimension] = text
            }
        }
        guard let periodName = body[member: "period"]?.stringValue else { throw .missing("period") }
        guard let period = BudgetPeriod(rawValue: periodName) else { throw .invalid("period", "must be day, week or month") }
        let zoneName = body[member: "timezone"]?.stringValue ?? "UTC"
        guard Self.isIANAZone(zoneName), let timeZone = TimeZone(identifier: zoneName) else {
            throw .invalid("timezone", "'\(zoneName)' is not an IANA time zone name such as Europe/Berlin or UTC")
        }
        if scope[.user] != nil, !["UTC", "GMT", "Etc/UTC"].contains(timeZone.identifier) {
            throw .invalid("timezone", "a budget scoped to a user counts whole UTC days; use UTC")
        }
        if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(now) / 1000)) % 3600 != 0 {
            throw .invalid("timezone", "spend is kept by the hour; '\(zoneName)' is not a whole number of hours from UTC")
        }
        var weekStart = BudgetPeriod.Weekday.monday
        if let value = body[member: "week_start"], value != .null {
            guard let text = value.stringValue, let day = BudgetPeriod.Weekday(rawValue: text.lowercased()) else {
                throw .invalid("week_start", "must be a day of the week, such as monday")
            }
            weekStart = day
        }
        guard let limitText = body[member: "limit_usd"]?.stringValue else {
            throw .invalid("limit_usd", "is required, as a decimal string such as \"5000.00\"")
        }
        guard let limit = Money(decimal: limitText), limit.nanos > 0 else {
            throw .invalid("limit_usd", "must be a positive decimal amount such as \"5000.00\"")
        }
        var warnAt: Int64 = 8000
        if let value = body[member: "warn_at"], value != .null {
            let fraction: Double
            switch value {
            case .number(let number): fraction = number
            case .integer(let number): fraction = Double(number)
            default: throw .invalid("warn_at", "must be a fraction of the limit from 0 to 1")
            }
            guard (0...1).contains(fraction) else { throw .invalid("warn_at", "must be a fraction of the limit from 0 to 1") }
            warnAt = Int64((fraction * 10_000).rounded())
        }
        let actionName = body[member: "action"]?.stringValue ?? "alert"
        guard let action = Action(rawValue: actionName) else { throw .invalid("action", "must be alert, downgrade or block") }
        let downgradeTo = body[member: "downgrade_to"]?.stringValue
        if action == .downgrade {
            guard let downgradeTo, !downgradeTo.isEmpty else { throw .invalid("downgrade_to", "is required when the action is downgrade") }
            if let tiers, !tiers.contains(downgradeTo) {
                throw .invalid("downgrade_to", "'\(downgradeTo)' is not a tier of the active policy (\(tiers.sorted().joined(separator: ", ")))")
            }
        } else if downgradeTo != nil {
            throw .invalid("downgrade_to", "only goes with the action downgrade")
        }
        return Budget(id: id, scope: scope, period: period, timeZone: timeZone, weekStart: weekStart, limit: limit,
                      warnAtBasisPoints: warnAt, action: action, downgradeTo: action == .downgrade ? downgradeTo : nil)
    }

    private static let ianaZones = Set(TimeZone.knownTimeZoneIdentifiers)

    /// An IANA zone name (`Europe/Berlin`, `Asia/Kolkata`, `UTC`, `Etc/GMT-2`) that the system
    /// knows by that name; not an offset Foundation would also take (`UTC+5`, `GMT+5`), nor an
    /// abbreviation (`EST`).
    static func isIANAZone(_ name: String) -> Bool {
        name == "UTC" || ((ianaZones.contains(name) || name.contains("/")) && TimeZone(identifier: name)?.identifier == name)
    }
}
