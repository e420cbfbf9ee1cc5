import BursarCore
import BursarStorage
import GRDB

/// Webhook deliveries, in SQLite.
extension SQLiteDatabase {
    static func queueDelivery(of alert: BudgetAlert, to url: String, now: Int64, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO webhook_deliveries (url, alert_id, body, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [url, alert.id, alert.document, now, now])
    }

    /// The deliveries to `url` due at `now`, oldest first.
    public func dueDeliveries(to url: String, now: Int64, limit: Int) throws -> [WebhookDelivery] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, url, body, attempts FROM webhook_deliveries
                WHERE url = ? AND delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?
                ORDER BY id LIMIT ?
                """, arguments: [url, now, limit]).map { WebhookDelivery(id: $0[0], url: $0[1], body: $0[2], attempts: $0[3]) }
        }
    }

    /// When the next delivery to `url` is due (nil when none waits).
    public func nextDeliveryDue(to url: String) throws -> Int64? {
        try read { db in
            try Int64.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE url = ? AND delivered_at IS NULL AND given_up_at IS NULL
                """, arguments: [url])
        }
    }

    public func markDelivered(_ id: Int64, now: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?", arguments: [now, id])
        }
    }

    /// Records a failed attempt: tried again at `retryAt`, or given up when it is nil.
    public func markFailedAttempt(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?,
                    next_attempt_at = COALESCE(?, next_attempt_at), given_up_at = CASE WHEN ? IS NULL THEN ? END
                WHERE id = ?
                """, arguments: [String(error.prefix(500)), retryAt, retryAt, now, id])
        }
    }

    public func webhookTallies() throws -> [WebhookTally] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT url, SUM(delivered_at IS NULL AND given_up_at IS NULL), SUM(delivered_at IS NOT NULL), SUM(given_up_at IS NOT NULL)
                FROM webhook_deliveries GROUP BY url ORDER BY url
                """).map { WebhookTally(url: $0[0], pending: $0[1], delivered: $0[2], givenUp: $0[3]) }
        }
    }
}
