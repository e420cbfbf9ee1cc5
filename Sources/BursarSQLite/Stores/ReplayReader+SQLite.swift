import BursarCore
import BursarStorage
import GRDB

extension SQLiteDatabase {
    /// Calls `body` with each request's first attempt stored in `[from, to)`, with the routing
    /// inputs and tokens a simulation replays (a streaming read; nothing is held in memory).
    public func forEachFirstAttempt(from: Int64, to: Int64, _ body: (UsageEvent, EventCost) throws -> Void) throws {
        try read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT source, event_id, time, provider, model, tier, user_id, team, feature,
                       input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                       request_id, intent, complexity, confidence, pii, context_tokens, cost_nanos, baseline_nanos, cost_basis
                FROM events WHERE time >= ? AND time < ? AND attempt = 1 AND reason = 'primary'
                """, arguments: [from, to])
            while let row = try cursor.next() {
                var event = UsageEvent(id: row[1], source: row[0], time: row[2], model: row[4], provider: row[3], tier: row[5],
                                       inputTokens: row[9], outputTokens: row[11])
                event.user = row[6]
                event.team = row[7]
                event.feature = row[8]
                event.cachedInputTokens = row[10]
                event.reasoningTokens = row[12]
                event.requestID = row[13]
                event.intent = row[14]
                event.complexity = row[15]
                event.confidence = row[16]
                event.pii = (row[17] as Int64?).map { $0 != 0 }
                event.contextTokens = row[18]
                try body(event, EventCost(cost: Money(nanos: row[19]), baseline: Money(nanos: row[20]),
                                          basis: EventCost.Basis(rawValue: row[21]) ?? .unpriced, priceID: nil))
            }
        }
    }
}
