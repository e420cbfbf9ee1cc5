import BursarCore
import BursarStorage
import Testing

/// A batch sums its events as they are added; an event that would overflow a sum is refused
/// alone, and a batch whose own sums overflow is never built.
@Suite struct IngestBatchTests {
    func event(_ id: String, cost: Int64) -> PricedEvent {
        PricedEvent(event: UsageEvent(id: id, source: "s", time: 1_795_375_926_000, model: "m", provider: "p", tier: "t",
                                      inputTokens: 10, outputTokens: 10),
                    cost: EventCost(cost: Money(nanos: cost), baseline: .zero, basis: .catalog, priceID: 1))
    }

    @Test func aBatchWhoseOwnSumsOverflowIsNeverBuilt() {
        #expect(throws: CounterOverflow(counter: "cost")) { try IngestBatch([event("x1", cost: .max), event("x2", cost: 1)]) }
    }

    @Test func theEventThatWouldOverflowIsRefusedAloneAndTheBatchKeepsTheOthers() throws {
        var batch = IngestBatch()
        try batch.append(event("a", cost: .max - 5))
        #expect(throws: CounterOverflow(counter: "cost")) { try batch.append(event("b", cost: 6)) }
        try batch.append(event("c", cost: 5))
        #expect(batch.events.map(\.event.id) == ["a", "c"])
    }
}
