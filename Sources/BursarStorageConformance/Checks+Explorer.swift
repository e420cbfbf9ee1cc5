import BursarCore
import BursarStorage

extension StorageConformance {
    static let explorerChecks: [Check] = [
        Check("raw events are found by request id and dimension, newest first, each with the price it was costed at") { backend in
            try backend.withStore { store in
                let storage = store.storage
                let mini = ModelPrice(provider: "openai", model: "gpt-4o", effectiveFrom: 0, inputPerMillion: Money(decimal: "2.5")!,
                                      outputPerMillion: Money(decimal: "10")!)
                let catalog = try storage.addPriceCatalog([mini], author: "ann", origin: "api")
                let priceID = try expectPresent(catalog.prices.first?.id, "the stored price's id")
                var events: [PricedEvent] = []
                for index in 0..<40 {
                    var priced = Fixtures.priced("e\(index)", time: Fixtures.start + Int64(index) * 60_000, user: "u\(index % 4)", cost: Int64(index + 1))
                    priced.event.requestID = "r\(index / 2)"
                    priced.event.attempt = Int64(index % 2 + 1)
                    priced.event.reason = index % 2 == 0 ? .primary : .fallback
                    priced.event.status = index % 10 == 0 ? .timeout : .ok
                    priced.cost.priceID = priceID
                    events.append(priced)
                }
                var unpriced = Fixtures.priced("free", time: Fixtures.start, user: "u9", cost: 0)
                unpriced.cost = EventCost(cost: .zero, baseline: Money(nanos: 5), basis: .unpriced, priceID: nil)
                unpriced.event.pii = true
                unpriced.event.complexity = 0.25
                try store.store(Array(events[0..<20]))
                try store.store(Array(events[20...]) + [unpriced])
                var search = EventSearch(from: Fixtures.start - Fixtures.day, to: Fixtures.start + Fixtures.day)

                search.requestID = "r7"
                let request = try storage.searchEvents(search)
                try expectEqual(request.events.map(\.event.id), ["e15", "e14"], "both attempts of r7, newest arrival first")
                try expectEqual(request.next, nil, "nothing older left to look at")
                let fallback = request.events[0]
                try expectEqual(fallback.event.reason, .fallback, "the reason read back")
                try expectEqual(fallback.event.attempt, 2, "the attempt read back")
                try expectEqual(fallback.cost.cost, Money(nanos: 16), "the cost read back")
                try expectEqual(fallback.cost.basis, .catalog, "the cost basis")
                try expectEqual(fallback.price?.outputPerMillion, Money(decimal: "10"), "the price it was costed at")
                try expectEqual(fallback.priceCatalogVersion, catalog.version, "the price's catalog version")

                search.requestID = nil
                search.filters = [.user: "u9"]
                let free = try expectPresent(try storage.searchEvents(search).events.first, "the unpriced event")
                try expect(free.cost.basis == .unpriced && free.price == nil, "unpriced, with no price")
                try expect(free.event.pii == true && free.event.complexity == 0.25, "routing inputs read back")

                search.filters = [.status: "error", .reason: "primary"]
                try expectEqual(try storage.searchEvents(search).events.map(\.event.id), ["e30", "e20", "e10", "e0"],
                                "the status class 'error' matches a timeout")

                // Pages of 7 over 41 events, then a search that may look at only 5 events per page.
                search.filters = [:]
                search.limit = 7
                var seen: [String] = []
                var pages = 0
                repeat {
                    let page = try storage.searchEvents(search)
                    seen += page.events.map(\.event.id)
                    search.before = page.next
                    pages += 1
                } while search.before != nil && pages < 20
                try expectEqual(seen.count, 41, "every event once across pages")
                try expectEqual(Set(seen).count, 41, "no event twice across pages")
                search.before = nil
                search.examineLimit = 5
                search.slice = 2
                search.filters = [.user: "u9"]
                let bounded = try storage.searchEvents(search)
                try expect(bounded.examined <= 5 && bounded.next != nil, "a bounded page says where to go on (examined \(bounded.examined))")

                search = EventSearch(from: Fixtures.start + 10 * 60_000, to: Fixtures.start + 12 * 60_000)
                try expectEqual(try storage.searchEvents(search).events.map(\.event.id), ["e11", "e10"], "only event times in the range")
            }
        },
    ]
}
