import BursarCore

/// An event with its cost worked out, ready to be stored.
public struct PricedEvent: Sendable {
    public var event: UsageEvent
    public var cost: EventCost

    public init(event: UsageEvent, cost: EventCost) {
        self.event = event
        self.cost = cost
    }
}
