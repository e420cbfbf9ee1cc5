/// The price of one provider's model from a date on, per million tokens.
public struct ModelPrice: Sendable, Equatable, Hashable {
    /// The store's id for this row; events record which price they used.
    public var id: Int64
    public var provider: String
    public var model: String
    /// Epoch milliseconds from which this price applies.
    public var effectiveFrom: Int64
    public var inputPerMillion: Money
    public var cachedInputPerMillion: Money
    public var outputPerMillion: Money
    public var reasoningPerMillion: Money

    public init(id: Int64 = 0, provider: String, model: String, effectiveFrom: Int64,
                inputPerMillion: Money, cachedInputPerMillion: Money? = nil,
                outputPerMillion: Money, reasoningPerMillion: Money? = nil) {
        self.id = id
        self.provider = provider
        self.model = model
        self.effectiveFrom = effectiveFrom
        self.inputPerMillion = inputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.reasoningPerMillion = reasoningPerMillion ?? outputPerMillion
    }

    public var modelKey: ModelKey { ModelKey(provider: provider, model: model) }

    /// The cost of a call, rounded half-to-even once to the nano-dollar.
    ///
    /// Cached input tokens are part of `input` and reasoning tokens part of `output`,
    /// as providers report them; each part is charged at its own price.
    /// Within `UsageLimits` every part fits in 128 bits and the total in 64; past them (a
    /// price stored by an older version) the cost is refused, never clamped.
    public func cost(input: Int64, cachedInput: Int64, output: Int64, reasoning: Int64) throws(CounterOverflow) -> Money {
        let scaled = (Int128(input) - Int128(cachedInput)) * Int128(inputPerMillion.nanos)
            + Int128(cachedInput) * Int128(cachedInputPerMillion.nanos)
            + (Int128(output) - Int128(reasoning)) * Int128(outputPerMillion.nanos)
            + Int128(reasoning) * Int128(reasoningPerMillion.nanos)
        guard let nanos = Int64(exactly: Self.divideHalfEven(scaled, by: 1_000_000)) else { throw CounterOverflow(counter: "cost") }
        return Money(nanos: nanos)
    }

    static func divideHalfEven(_ value: Int128, by divisor: Int128) -> Int128 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = remainder.magnitude * 2
        if twice > divisor.magnitude || (twice == divisor.magnitude && quotient % 2 != 0) {
            return value < 0 ? quotient - 1 : quotient + 1
        }
        return quotient
    }
}

/// A model as the catalog names it: provider and model id.
public struct ModelKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Parses `provider/model` (the model id may itself contain slashes).
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash])
        let model = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: provider, model: model)
    }

    public var description: String { provider + "/" + model }

    public static func < (lhs: ModelKey, rhs: ModelKey) -> Bool {
        (lhs.provider, lhs.model) < (rhs.provider, rhs.model)
    }
}
