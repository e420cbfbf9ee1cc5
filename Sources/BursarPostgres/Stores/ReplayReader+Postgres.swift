import BursarCore
import BursarStorage

extension PostgresDatabase {
    /// Calls `body` with each request's first attempt stored in `[from, to)`, in time order,
    /// a page of rows at a time (a cursor in one snapshot; never the whole range in memory).
    public func forEachFirstAttempt(from: Int64, to: Int64, _ body: (UsageEvent, EventCost) throws -> Void) throws {
        try read(retrying: false) { connection in
            try connection.execute("""
                DECLARE replay NO SCROLL CURSOR FOR
                SELECT source, event_id, time, provider, model, tier, user_id, team, feature,
                       input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                       request_id, intent, complexity, confidence, pii, context_tokens, cost_nanos, baseline_nanos, cost_basis
                FROM events WHERE time >= $1 AND time < $2 AND attempt = 1 AND reason = 'primary' ORDER BY time, seq
                """, [.integer(from), .integer(to)])
            while true {
                let page = try connection.execute("FETCH 2000 FROM replay")
                if page.isEmpty { break }
                for row in page {
                    try body(try Self.firstAttempt(row), EventCost(cost: Money(nanos: try row.integer(19)), baseline: Money(nanos: try row.integer(20)),
                                                               basis: EventCost.Basis(rawValue: try row.integer(21)) ?? .unpriced, priceID: nil))
                }
            }
        }
    }

    static func firstAttempt(_ row: PostgresRows.Row) throws -> UsageEvent {
        var event = UsageEvent(id: try row.text(1), source: try row.text(0), time: try row.integer(2), model: try row.text(4),
                               provider: try row.text(3), tier: try row.text(5), inputTokens: try row.integer(9),
                               outputTokens: try row.integer(11))
        event.user = try row.text(6)
        event.team = try row.text(7)
        event.feature = try row.text(8)
        event.cachedInputTokens = try row.integer(10)
        event.reasoningTokens = try row.integer(12)
        event.requestID = try row.text(13)
        event.intent = try row.text(14)
        event.complexity = try row.double(15)
        event.confidence = try row.double(16)
        event.pii = try row.bool(17)
        event.contextTokens = try row.int64(18)
        return event
    }
}
