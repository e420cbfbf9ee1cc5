import BursarCore

/// Budget state changes, their alerts, and the alerts' deliveries to webhooks (kept until delivered).
extension SQLDatabase {
    /// Records the budgets whose state differs from the last one recorded (a budget never
    /// seen before counts as having been ok), and returns the new alerts; in the same
    /// transaction, one delivery of each to each of `webhooks`.
    public func recordStateChanges(_ statuses: [BudgetStatus], now: Int64, webhooks: [String]) throws -> [BudgetAlert] {
        try writing { session in
            // One evaluation at a time across replicas: each change is recorded once.
            try session.lock("alerts")
            var alerts: [BudgetAlert] = []
            for status in statuses {
                let from = try session.row("SELECT to_state FROM alerts WHERE budget_id = ? ORDER BY id DESC LIMIT 1",
                                           [.text(status.budget.id)])?.text("to_state") ?? BudgetStatus.State.ok.rawValue
                guard from != status.state.rawValue else { continue }
                let document = try BudgetAlert.document(status, from: from, now: now)
                guard let id = try session.row("""
                    INSERT INTO alerts (time, budget_id, from_state, to_state, period_start, document) VALUES (?, ?, ?, ?, ?, ?)
                    RETURNING id
                    """, [.integer(now), .text(status.budget.id), .text(from), .text(status.state.rawValue), .integer(status.periodStart),
                          .text(document)])?.integer("id") else {
                    throw SQLRowError(column: "id", problem: "was not returned by the insert of an alert")
                }
                for url in webhooks {
                    try session.execute("""
                        INSERT INTO webhook_deliveries (url, alert_id, body, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
                        """, [.text(url), .integer(id), .text(document), .integer(now), .integer(now)])
                }
                alerts.append(BudgetAlert(id: id, time: now, budgetID: status.budget.id, fromState: from, toState: status.state.rawValue,
                                          document: document))
            }
            return alerts
        }
    }

    /// Recorded alerts, newest first.
    public func alerts(budget: String?, from: Int64, to: Int64, limit: Int) throws -> [BudgetAlert] {
        try reading { session in
            let sql = "SELECT id, time, budget_id, from_state, to_state, document FROM alerts WHERE time >= ? AND time < ?"
                + (budget == nil ? "" : " AND budget_id = ?") + " ORDER BY id DESC LIMIT ?"
            let values: [SQLValue] = [.integer(from), .integer(to)] + (budget.map { [.text($0)] } ?? []) + [SQLValue(limit)]
            return try session.rows(sql, values).map { row in
                BudgetAlert(id: try row.integer("id"), time: try row.integer("time"), budgetID: try row.text("budget_id"),
                            fromState: try row.text("from_state"), toState: try row.text("to_state"), document: try row.text("document"))
            }
        }
    }

    /// The deliveries to `url` due at `now`, oldest first.
    public func dueDeliveries(to url: String, now: Int64, limit: Int) throws -> [WebhookDelivery] {
        try reading { session in
            try session.rows("""
                SELECT id, url, body, attempts FROM webhook_deliveries
                WHERE url = ? AND delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?
                ORDER BY id LIMIT ?
                """, [.text(url), .integer(now), SQLValue(limit)]).map { row in
                WebhookDelivery(id: try row.integer("id"), url: try row.text("url"), body: try row.text("body"),
                                attempts: Int(try row.integer("attempts")))
            }
        }
    }

    /// When the next delivery to `url` is due (nil when none waits).
    public func nextDeliveryDue(to url: String) throws -> Int64? {
        try reading { session in
            try session.row("""
                SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE url = ? AND delivered_at IS NULL AND given_up_at IS NULL
                """, [.text(url)])?.optionalInteger("due")
        }
    }

    public func markDelivered(_ id: Int64, now: Int64) throws {
        try writing { session in
            try session.execute("UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                                [.integer(now), .integer(id)])
        }
    }

    /// Records a failed attempt: tried again at `retryAt`, or given up when it is nil.
    public func markFailedAttempt(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws {
        try writing { session in
            try session.execute("""
                UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?,
                    next_attempt_at = COALESCE(CAST(? AS BIGINT), next_attempt_at),
                    given_up_at = CASE WHEN CAST(? AS BIGINT) IS NULL THEN CAST(? AS BIGINT) END
                WHERE id = ?
                """, [.text(String(error.prefix(500))), SQLValue(retryAt), SQLValue(retryAt), .integer(now), .integer(id)])
        }
    }

    public func webhookTallies() throws -> [WebhookTally] {
        try reading { session in
            try session.rows("""
                SELECT url, COUNT(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL) AS pending,
                       COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                       COUNT(*) FILTER (WHERE given_up_at IS NOT NULL) AS given_up
                FROM webhook_deliveries GROUP BY url ORDER BY url\(session.dialect.bytewise)
                """).map { row in
                WebhookTally(url: try row.text("url"), pending: Int(try row.integer("pending")),
                             delivered: Int(try row.integer("delivered")), givenUp: Int(try row.integer("given_up")))
            }
        }
    }
}
