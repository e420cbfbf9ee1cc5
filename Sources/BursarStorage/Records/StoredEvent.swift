import BursarCore

/// A raw event as stored: what the router sent, when it arrived, and how it was priced.
public struct StoredEvent: Sendable, Equatable {
    /// Arrival order in the store (a search page's cursor).
    public var seq: Int64
    public var event: UsageEvent
    public var receivedAt: Int64
    public var cost: EventCost
    /// The catalog row the cost came from, when the basis is the catalog.
    public var price: ModelPrice?
    /// The catalog version that row belongs to.
    public var priceCatalogVersion: Int64?

    public init(seq: Int64, event: UsageEvent, receivedAt: Int64, cost: EventCost, price: ModelPrice?, priceCatalogVersion: Int64?) {
        self.seq = seq
        self.event = event
        self.receivedAt = receivedAt
        self.cost = cost
        self.price = price
        self.priceCatalogVersion = priceCatalogVersion
    }
}

/// One page of an event search.
public struct EventPage: Sendable, Equatable {
    /// Newest arrival first.
    public var events: [StoredEvent]
    /// Where the next page starts (`EventSearch.before`); nil when no older event is left.
    public var next: Int64?
    /// How many stored events this page looked at.
    public var examined: Int64

    public init(events: [StoredEvent], next: Int64?, examined: Int64) {
        self.events = events
        self.next = next
        self.examined = examined
    }
}
