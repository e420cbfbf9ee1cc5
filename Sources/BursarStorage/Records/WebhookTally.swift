import BursarCore

/// Deliveries of one webhook, by outcome (for `/metrics`).
public struct WebhookTally: Sendable, Equatable {
    public var url: String
    public var pending: Int
    public var delivered: Int
    public var givenUp: Int

    public init(url: String, pending: Int, delivered: Int, givenUp: Int) {
        self.url = url
        self.pending = pending
        self.delivered = delivered
        self.givenUp = givenUp
    }
}
