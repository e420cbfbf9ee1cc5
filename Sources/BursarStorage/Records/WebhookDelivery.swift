import BursarCore

/// One alert on its way to one webhook, kept until the receiver acknowledges it (2xx) or
/// Bursar gives up on it, so that a restart loses none.
public struct WebhookDelivery: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var body: String
    /// Attempts made so far.
    public var attempts: Int

    public init(id: Int64, url: String, body: String, attempts: Int) {
        self.id = id
        self.url = url
        self.body = body
        self.attempts = attempts
    }
}
