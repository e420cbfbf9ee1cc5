/// The money side of one event: what it cost, what the baseline would have cost, and why.
public struct EventCost: Sendable, Equatable {
    /// Where the counted cost came from.
    public enum Basis: Int64, Sendable {
        /// The price catalog: tokens × the price in effect at the event's time.
        case catalog = 0
        /// The model has no price, so the router's reported cost counts.
        case reported = 1
        /// No price and no reported cost: counted as unpriced, never as $0.
        case unpriced = 2
    }

    public var cost: Money
    public var baseline: Money
    public var basis: Basis
    /// The catalog row used, when the basis is the catalog.
    public var priceID: Int64?

    public init(cost: Money, baseline: Money, basis: Basis, priceID: Int64?) {
        self.cost = cost
        self.baseline = baseline
        self.basis = basis
        self.priceID = priceID
    }
}

/// Prices events against the catalog and the baseline model.
public struct Costing: Sendable {
    public var catalog: PriceCatalog
    /// The model every request is compared against (the frontier tier's primary model).
    public var baselineModel: ModelKey

    public init(catalog: PriceCatalog, baselineModel: ModelKey) {
        self.catalog = catalog
        self.baselineModel = baselineModel
    }

    /// Prices one event.
    ///
    /// The baseline counts only first attempts (not escalations, fallbacks, retries or
    /// shadows), since an all-baseline router would make exactly one call per request;
    /// it is zero for unpriced events so that savings never count a cost we do not know.
    public func cost(of event: UsageEvent) throws(CounterOverflow) -> EventCost {
        let basis: EventCost.Basis
        let cost: Money
        var priceID: Int64?
        if let price = catalog.price(for: ModelKey(provider: event.provider, model: event.model), at: event.time) {
            basis = .catalog
            cost = try price.cost(input: event.inputTokens, cachedInput: event.cachedInputTokens,
                              output: event.outputTokens, reasoning: event.reasoningTokens)
            priceID = price.id
        } else if let reported = event.reportedCost {
            basis = .reported
            cost = reported
        } else {
            return EventCost(cost: .zero, baseline: .zero, basis: .unpriced, priceID: nil)
        }
        var baseline = Money.zero
        if event.isFirstAttempt, let price = catalog.price(for: baselineModel, at: event.time) {
            baseline = try price.cost(input: event.inputTokens, cachedInput: event.cachedInputTokens,
                                  output: event.outputTokens, reasoning: event.reasoningTokens)
        }
        return EventCost(cost: cost, baseline: baseline, basis: basis, priceID: priceID)
    }
}
