import BursarCore

/// The events of one request, priced and summed on the request's own thread, ready for the
/// writer: the writer's share of the work stays small.
public struct IngestBatch: Sendable {
    public private(set) var events: [PricedEvent] = []
    package private(set) var rollups = RollupAccumulator()

    public init() {}

    /// A batch of `events`; `CounterOverflow` when their own sums do not fit.
    public init(_ events: [PricedEvent]) throws(CounterOverflow) {
        for event in events { try append(event) }
    }

    public var isEmpty: Bool { events.isEmpty }

    /// Adds an event, or refuses it (the batch unchanged) when one of the batch's sums would
    /// overflow; the caller rejects that event alone.
    public mutating func append(_ event: PricedEvent) throws(CounterOverflow) {
        try rollups.add(event)
        events.append(event)
    }
}
