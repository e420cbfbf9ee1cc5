import BursarCore
import BursarStorage

/// Budget state changes, their alerts, and the alerts' deliveries to webhooks.
extension PostgresDatabase {
    public func recordStateChanges(_ statuses: [BudgetStatus], now: Int64, webhooks: [String]) throws -> [BudgetAlert] {
        try write { connection in
            // One evaluation at a time across replicas: each change is recorded once.
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [.integer(Self.alertsLockKey)])
            var alerts: [BudgetAlert] = []
            for status in statuses {
                let from = try connection.execute("SELECT to_state FROM alerts WHERE budget_id = $1 ORDER BY id DESC LIMIT 1",
                                                  [.text(status.budget.id)]).first?.text(0) ?? BudgetStatus.State.ok.rawValue
                guard from != status.state.rawValue else { continue }
                let document = try BudgetAlert.document(status, from: from, now: now)
                let id = try connection.execute("""
                    INSERT INTO alerts (time, budget_id, from_state, to_state, period_start, document) VALUES ($1, $2, $3, $4, $5, $6)
                    RETURNING id
                    """, [.integer(now), .text(status.budget.id), .text(from), .text(status.state.rawValue), .integer(status.periodStart),
                          .text(document)]).first?.integer(0) ?? 0
                for url in webhooks {
                    try connection.execute("INSERT INTO webhook_deliveries (url, alert_id, body, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)",
                                           [.text(url), .integer(id), .text(document), .integer(now)])
                }
                alerts.append(BudgetAlert(id: id, time: now, budgetID: status.budget.id, fromState: from, toState: status.state.rawValue,
                                          document: document))
            }
            return alerts
        }
    }

    /// Bursar's advisory lock for recording budget state changes ("bursaral").
    static let alertsLockKey: Int64 = 0x6275_7273_6172_616C

    public func alerts(budget: String?, from: Int64, to: Int64, limit: Int) throws -> [BudgetAlert] {
        try read { connection in
            let columns = "SELECT id, time, budget_id, from_state, to_state, document FROM alerts WHERE time >= $1 AND time < $2"
            let span: [PostgresValue] = [.integer(from), .integer(to)]
            let rows = try budget.map { try connection.execute(columns + " AND budget_id = $3 ORDER BY id DESC LIMIT $4", span + [.text($0), PostgresValue(limit)]) }
                ?? connection.execute(columns + " ORDER BY id DESC LIMIT $3", span + [PostgresValue(limit)])
            return try rows.map { row in
                BudgetAlert(id: try row.integer(0), time: try row.integer(1), budgetID: try row.text(2), fromState: try row.text(3),
                            toState: try row.text(4), document: try row.text(5))
            }
        }
    }

    public func dueDeliveries(to url: String, now: Int64, limit: Int) throws -> [WebhookDelivery] {
        try read { connection in
            try connection.execute("""
                SELECT id, url, body, attempts FROM webhook_deliveries
                WHERE url = $1 AND delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $2
                ORDER BY id LIMIT $3
                """, [.text(url), .integer(now), PostgresValue(limit)]).map { row in
                WebhookDelivery(id: try row.integer(0), url: try row.text(1), body: try row.text(2), attempts: Int(try row.integer(3)))
            }
        }
    }

    public func nextDeliveryDue(to url: String) throws -> Int64? {
        try read { connection in
            try connection.execute("""
                SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE url = $1 AND delivered_at IS NULL AND given_up_at IS NULL
                """, [.text(url)]).first?.int64(0)
        }
    }

    public func markDelivered(_ id: Int64, now: Int64) throws {
        try write { connection in
            try connection.execute("UPDATE webhook_deliveries SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2",
                                   [.integer(now), .integer(id)])
        }
    }

    public func markFailedAttempt(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws {
        try write { connection in
            try connection.execute("""
                UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $1,
                    next_attempt_at = COALESCE($2, next_attempt_at), given_up_at = CASE WHEN $2::BIGINT IS NULL THEN $3::BIGINT END
                WHERE id = $4
                """, [.text(String(error.prefix(500))), PostgresValue(retryAt), .integer(now), .integer(id)])
        }
    }

    public func webhookTallies() throws -> [WebhookTally] {
        try read { connection in
            try connection.execute("""
                SELECT url, COUNT(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL),
                       COUNT(*) FILTER (WHERE delivered_at IS NOT NULL), COUNT(*) FILTER (WHERE given_up_at IS NOT NULL)
                FROM webhook_deliveries GROUP BY url ORDER BY url COLLATE "C"
                """).map { row in
                WebhookTally(url: try row.text(0), pending: Int(try row.integer(1)), delivered: Int(try row.integer(2)),
                             givenUp: Int(try row.integer(3)))
            }
        }
    }
}
