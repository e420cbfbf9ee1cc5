/// An exact amount of US dollars, counted in nano-dollars (1e-9 USD).
///
/// Money never passes through floating point: amounts are parsed from decimal text,
/// summed as integers and printed back as decimal strings.
public struct Money: Hashable, Comparable, Sendable {
    public static let nanosPerDollar: Int64 = 1_000_000_000
    public static let zero = Money(nanos: 0)

    public var nanos: Int64

    public init(nanos: Int64) {
        self.nanos = nanos
    }

    /// Parses a decimal string such as `"12.345678901"` or `"-0.5"`.
    ///
    /// Digits past the ninth decimal are rounded half-to-even, once.
    public init?(decimal text: some StringProtocol) {
        guard let value = DecimalText.parse(Array(text.utf8)),
              let nanos = value.scaled(toDecimals: 9) else { return nil }
        self.nanos = nanos
    }

    /// The amount as a decimal string with nine fractional digits: `"12.345678901"`.
    public var decimalString: String {
        let negative = nanos < 0
        let magnitude = nanos.magnitude
        let whole = magnitude / UInt64(Money.nanosPerDollar)
        let fraction = String(magnitude % UInt64(Money.nanosPerDollar))
        let padded = String(repeating: "0", count: 9 - fraction.count) + fraction
        return (negative ? "-" : "") + String(whole) + "." + padded
    }

    /// The exact sum, or `CounterOverflow` naming `counter` (never a trap, never a wrap).
    public func adding(_ other: Money, counter: String = "cost") throws(CounterOverflow) -> Money {
        Money(nanos: try nanos.adding(other.nanos, counter: counter))
    }

    /// The exact difference, or `CounterOverflow` naming `counter`.
    public func subtracting(_ other: Money, counter: String = "savings") throws(CounterOverflow) -> Money {
        Money(nanos: try nanos.subtracting(other.nanos, counter: counter))
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanos < rhs.nanos }
}

extension Money: CustomStringConvertible {
    public var description: String { "$" + decimalString }
}
