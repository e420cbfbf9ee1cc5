import BursarCore

/// Budget state changes (alerts) and their deliveries to webhooks, kept until delivered.
public protocol AlertStore: Sendable {
    /// Records the budgets whose state differs from the last one recorded (a budget never seen
    /// counts as having been ok) and returns the new alerts; in the same transaction, one
    /// delivery of each to each of `webhooks`.
    @discardableResult
    func recordStateChanges(_ statuses: [BudgetStatus], now: Int64, webhooks: [String]) throws -> [BudgetAlert]
    /// Newest first.
    func alerts(budget: String?, from: Int64, to: Int64, limit: Int) throws -> [BudgetAlert]
    /// Deliveries to `url` due at `now`, oldest first.
    func dueDeliveries(to url: String, now: Int64, limit: Int) throws -> [WebhookDelivery]
    /// When the next delivery to `url` is due, if any is pending.
    func nextDeliveryDue(to url: String) throws -> Int64?
    func markDelivered(_ id: Int64, now: Int64) throws
    /// A failed attempt; `retryAt` nil gives the delivery up.
    func markFailedAttempt(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws
    func webhookTallies() throws -> [WebhookTally]
}

extension AlertStore {
    @discardableResult
    public func recordStateChanges(_ statuses: [BudgetStatus], now: Int64) throws -> [BudgetAlert] {
        try recordStateChanges(statuses, now: now, webhooks: [])
    }

    public func alerts(budget: String? = nil) throws -> [BudgetAlert] {
        try alerts(budget: budget, from: 0, to: .max, limit: 1000)
    }

    public func dueDeliveries(to url: String, now: Int64) throws -> [WebhookDelivery] {
        try dueDeliveries(to: url, now: now, limit: 100)
    }
}
