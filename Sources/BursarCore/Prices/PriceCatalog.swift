/// One version of the price list: every model's prices, each with its effective dates.
public struct PriceCatalog: Sendable, Equatable {
    /// Increases by one with each change to the catalog.
    public var version: Int64
    public private(set) var prices: [ModelPrice]
    private var byModel: [ModelKey: [ModelPrice]]

    public init(version: Int64, prices: [ModelPrice]) {
        self.version = version
        self.prices = prices.sorted { ($0.modelKey, $0.effectiveFrom) < ($1.modelKey, $1.effectiveFrom) }
        byModel = Dictionary(grouping: self.prices, by: \.modelKey)
            .mapValues { $0.sorted { $0.effectiveFrom > $1.effectiveFrom } }
    }

    public static let empty = PriceCatalog(version: 0, prices: [])

    /// The price in effect for a model at a time, or nil when the model has none then.
    public func price(for key: ModelKey, at time: Int64) -> ModelPrice? {
        byModel[key]?.first { $0.effectiveFrom <= time }
    }

    public func contains(_ key: ModelKey) -> Bool { byModel[key] != nil }
}
