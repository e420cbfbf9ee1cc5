import BursarCore

/// One result row of a backend, read by column position.
public protocol StoredEventRow {
    func text(_ index: Int) throws -> String
    func optionalInteger(_ index: Int) throws -> Int64?
    func optionalDouble(_ index: Int) throws -> Double?
    func optionalBool(_ index: Int) throws -> Bool?
}

/// A stored value that cannot be read back as the event it should be.
public struct StoredEventDecodingError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

extension StoredEventRow {
    func integer(_ index: Int) throws -> Int64 {
        guard let value = try optionalInteger(index) else { throw StoredEventDecodingError(description: "events column \(index) is NULL") }
        return value
    }
}

extension StoredEvent {
    /// The columns `init(row:)` reads, from `events e LEFT JOIN prices p`.
    public static let columns = """
        e.seq, e.source, e.event_id, e.time, e.received_at, e.model, e.provider, e.tier, e.user_id, e.team, e.feature, \
        e.input_tokens, e.cached_input_tokens, e.output_tokens, e.reasoning_tokens, \
        e.cost_nanos, e.baseline_nanos, e.reported_nanos, e.cost_basis, e.price_id, \
        e.latency_ms, e.ttft_ms, e.status, e.request_id, e.attempt, e.reason, e.rule, e.policy_revision, \
        e.intent, e.complexity, e.confidence, e.pii, e.context_tokens, \
        p.catalog_version, p.effective_from, p.input_nanos, p.cached_input_nanos, p.output_nanos, p.reasoning_nanos, p.provider, p.model
        """

    public init(row: some StoredEventRow) throws {
        var event = UsageEvent(id: try row.text(2), source: try row.text(1), time: try row.integer(3), model: try row.text(5),
                               provider: try row.text(6), tier: try row.text(7),
                               inputTokens: try row.integer(11), outputTokens: try row.integer(13))
        event.user = try row.text(8)
        event.team = try row.text(9)
        event.feature = try row.text(10)
        event.cachedInputTokens = try row.integer(12)
        event.reasoningTokens = try row.integer(14)
        event.reportedCost = try row.optionalInteger(17).map(Money.init(nanos:))
        event.latencyMillis = try row.optionalInteger(20)
        event.timeToFirstTokenMillis = try row.optionalInteger(21)
        event.status = try Self.decoded(EventStatus(rawValue: try row.text(22)), "status")
        event.requestID = try row.text(23)
        event.attempt = try row.integer(24)
        event.reason = try Self.decoded(AttemptReason(rawValue: try row.text(25)), "reason")
        event.rule = try row.text(26)
        event.policyRevision = try row.text(27)
        event.intent = try row.text(28)
        event.complexity = try row.optionalDouble(29)
        event.confidence = try row.optionalDouble(30)
        event.pii = try row.optionalBool(31)
        event.contextTokens = try row.optionalInteger(32)
        let priceID = try row.optionalInteger(19)
        let cost = EventCost(cost: Money(nanos: try row.integer(15)), baseline: Money(nanos: try row.integer(16)),
                             basis: try Self.decoded(EventCost.Basis(rawValue: try row.integer(18)), "cost_basis"), priceID: priceID)
        var price: ModelPrice?
        let catalogVersion = try row.optionalInteger(33)
        if let priceID, catalogVersion != nil {
            price = ModelPrice(id: priceID, provider: try row.text(39), model: try row.text(40), effectiveFrom: try row.integer(34),
                               inputPerMillion: Money(nanos: try row.integer(35)), cachedInputPerMillion: Money(nanos: try row.integer(36)),
                               outputPerMillion: Money(nanos: try row.integer(37)), reasoningPerMillion: Money(nanos: try row.integer(38)))
        }
        self.init(seq: try row.integer(0), event: event, receivedAt: try row.integer(4), cost: cost, price: price,
                  priceCatalogVersion: catalogVersion)
    }

    private static func decoded<T>(_ value: T?, _ column: String) throws -> T {
        guard let value else { throw StoredEventDecodingError(description: "a stored event's \(column) is not one Bursar writes") }
        return value
    }
}
