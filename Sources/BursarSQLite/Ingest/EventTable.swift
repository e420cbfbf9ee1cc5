import BursarCore
import BursarStorage
import GRDB

/// Writes raw events; a (source, id) pair already stored is skipped, never counted twice.
struct EventTable {
    static let insertSQL = """
        INSERT OR IGNORE INTO events (
            source, event_id, time, received_at, model, provider, tier, user_id, team, feature,
            input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
            cost_nanos, baseline_nanos, reported_nanos, cost_basis, price_id,
            latency_ms, ttft_ms, status, request_id, attempt, reason, rule, policy_revision,
            intent, complexity, confidence, pii, context_tokens
        ) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        """

    let statement: SQLiteStatement

    init(_ db: Database) throws {
        statement = SQLiteStatement(try db.cachedStatement(sql: Self.insertSQL), in: db)
    }

    /// Inserts one event; false when it was a duplicate.
    func insert(_ priced: PricedEvent, receivedAt: Int64) throws -> Bool {
        let event = priced.event
        let s = statement
        s.bind(1, event.source)
        s.bind(2, event.id)
        s.bind(3, event.time)
        s.bind(4, receivedAt)
        s.bind(5, event.model)
        s.bind(6, event.provider)
        s.bind(7, event.tier)
        s.bind(8, event.user)
        s.bind(9, event.team)
        s.bind(10, event.feature)
        s.bind(11, event.inputTokens)
        s.bind(12, event.cachedInputTokens)
        s.bind(13, event.outputTokens)
        s.bind(14, event.reasoningTokens)
        s.bind(15, priced.cost.cost.nanos)
        s.bind(16, priced.cost.baseline.nanos)
        s.bind(17, event.reportedCost?.nanos)
        s.bind(18, priced.cost.basis.rawValue)
        s.bind(19, priced.cost.priceID)
        s.bind(20, event.latencyMillis)
        s.bind(21, event.timeToFirstTokenMillis)
        s.bind(22, event.status.rawValue)
        s.bind(23, event.requestID)
        s.bind(24, event.attempt)
        s.bind(25, event.reason.rawValue)
        s.bind(26, event.rule)
        s.bind(27, event.policyRevision)
        s.bind(28, event.intent)
        s.bind(29, event.complexity)
        s.bind(30, event.confidence)
        s.bind(31, event.pii.map { $0 ? Int64(1) : Int64(0) })
        s.bind(32, event.contextTokens)
        return try s.run() == 1
    }
}
