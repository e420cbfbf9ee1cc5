import Foundation

/// A spending limit over a calendar period, for everything or for one slice of traffic.
public struct Budget: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// Tell people; route as usual.
        case alert
        /// Send the scope's requests to `downgradeTo` once exceeded.
        case downgrade
        /// Refuse the scope's requests once exceeded.
        case block
    }

    /// The dimensions a budget can be scoped by.
    public static let scopes: [RollupDimension] = [.user, .team, .feature, .tier, .model, .provider]

    public var id: String
    /// Empty: global.
    public var scope: [RollupDimension: String]
    public var period: BudgetPeriod
    public var timeZone: TimeZone
    public var weekStart: BudgetPeriod.Weekday
    public var limit: Money
    /// In basis points of the limit (0.8 → 8000).
    public var warnAtBasisPoints: Int64
    public var action: Action
    public var downgradeTo: String?

    public init(id: String, scope: [RollupDimension: String], period: BudgetPeriod, timeZone: TimeZone,
                weekStart: BudgetPeriod.Weekday = .monday, limit: Money, warnAtBasisPoints: Int64 = 8000, action: Action,
                downgradeTo: String? = nil) {
        self.id = id
        self.scope = scope
        self.period = period
        self.timeZone = timeZone
        self.weekStart = weekStart
        self.limit = limit
        self.warnAtBasisPoints = warnAtBasisPoints
        self.action = action
        self.downgradeTo = downgradeTo
    }

    public var scopeJSON: JSONValue {
        .object(Self.scopes.compactMap { dimension in scope[dimension].map { (dimension.rawValue, .string($0)) } })
    }

    /// The fields as a request sends them (everything but the id).
    public var definition: JSONValue {
        .object(json.objectMembers.filter { $0.0 != "id" })
    }

    /// The zone's IANA name; UTC as "UTC" (Foundation on Linux calls it "GMT").
    public var zoneName: String {
        timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier
    }

    public var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("scope", scopeJSON),
            ("period", .string(period.rawValue)),
            ("timezone", .string(zoneName)),
            ("week_start", .string(weekStart.rawValue)),
            ("limit_usd", .string(limit.decimalString)),
            ("warn_at", .number(Double(warnAtBasisPoints) / 10_000)),
            ("action", .string(action.rawValue)),
            ("downgrade_to", downgradeTo.map(JSONValue.string) ?? .null),
        ])
    }
}
