/// Reads price entries from text fields (from YAML or JSON), naming the entry and field that is wrong.
///
/// Amounts are USD per million tokens, as decimal text so they stay exact:
/// `{provider, model, input, output, cached_input?, reasoning?, effective_from?}`.
public enum PriceList {
    /// The most prices one catalog may hold (a catalog is carried in every bundle).
    public static let maximumPrices = 10_000

    public static let fields: Set<String> = ["provider", "model", "input", "output", "cached_input", "reasoning", "effective_from"]

    public static func prices(from entries: [[String: String]]) throws(FieldError) -> [ModelPrice] {
        var prices: [ModelPrice] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            func field(_ name: String) -> String { "prices[\(index)].\(name)" }
            func text(_ name: String) throws(FieldError) -> String {
                guard let value = entry[name], !value.isEmpty else { throw FieldError.missing(field(name)) }
                return value
            }
            func amount(_ name: String, required: Bool) throws(FieldError) -> Money? {
                guard let value = entry[name] else {
                    if required { throw FieldError.missing(field(name)) }
                    return nil
                }
                let maximum = UsageLimits.maximumPricePerMillionUSD
                guard let money = Money(decimal: value), money.nanos >= 0, money.nanos <= maximum * Money.nanosPerDollar else {
                    throw FieldError.invalid(field(name), "must be a decimal amount in USD per 1M tokens from 0 to \(maximum)")
                }
                return money
            }
            if let unknown = entry.keys.first(where: { !fields.contains($0) }) {
                throw FieldError.invalid(field(unknown), "is not a price field (\(fields.sorted().joined(separator: ", ")))")
            }
            let provider = try text("provider")
            let model = try text("model")
            var effectiveFrom: Int64 = 0
            if let date = entry["effective_from"] {
                guard let millis = Timestamp.parse(date, allowDate: true) else {
                    throw FieldError.invalid(field("effective_from"), "must be a date (2024-08-06) or an RFC 3339 time")
                }
                effectiveFrom = millis
            }
            let identity = "\(provider)/\(model)@\(effectiveFrom)"
            guard seen.insert(identity).inserted else {
                throw FieldError.invalid(field("model"), "\(provider)/\(model) has two prices from the same date")
            }
            guard let input = try amount("input", required: true), let output = try amount("output", required: true) else {
                throw FieldError.missing(field("input"))
            }
            prices.append(ModelPrice(
                provider: provider, model: model, effectiveFrom: effectiveFrom,
                inputPerMillion: input, cachedInputPerMillion: try amount("cached_input", required: false),
                outputPerMillion: output, reasoningPerMillion: try amount("reasoning", required: false)))
        }
        return prices
    }

    /// The catalog as JSON, amounts as decimal strings.
    public static func json(_ catalog: PriceCatalog) -> JSONValue {
        .object([
            ("version", .integer(catalog.version)),
            ("unit", "USD per 1M tokens"),
            ("prices", .array(catalog.prices.map { price in
                .object([
                    ("provider", .string(price.provider)),
                    ("model", .string(price.model)),
                    ("effective_from", .string(Timestamp.format(price.effectiveFrom))),
                    ("input", .string(price.inputPerMillion.shortDecimalString)),
                    ("cached_input", .string(price.cachedInputPerMillion.shortDecimalString)),
                    ("output", .string(price.outputPerMillion.shortDecimalString)),
                    ("reasoning", .string(price.reasoningPerMillion.shortDecimalString)),
                ])
            })),
        ])
    }
}

extension Money {
    /// The amount with trailing zeros dropped, keeping at least two decimals: `"2.50"`, `"0.075"`.
    public var shortDecimalString: String {
        var text = decimalString
        while text.hasSuffix("0"), let point = text.firstIndex(of: "."), text.distance(from: point, to: text.endIndex) > 3 {
            text.removeLast()
        }
        return text
    }
}
