import Locking
import BursarCore
import BursarStorage
import Dispatch

extension StorageConformance {
    static let ingestChecks: [Check] = [
        Check("a retried batch is counted as duplicates, never stored twice") { backend in
            try backend.withStore { store in
                let first = (0..<500).map { Fixtures.priced("a-\($0)", user: "u\($0 % 3)") }
                try expectEqual(try store.store(first), IngestOutcome(accepted: 500, duplicates: 0), "the first batch")
                let retried = Array(first[100..<200]) + (0..<10).map { Fixtures.priced("b-\($0)", user: "u0") }
                try expectEqual(try store.store(retried), IngestOutcome(accepted: 10, duplicates: 100), "a batch resent in part")
                try expectEqual(try store.storage.eventCount(), 510, "events stored")
                // The same id from another source is another event.
                try expectEqual(try store.store([Fixtures.priced("a-0", source: "t")]), IngestOutcome(accepted: 1, duplicates: 0),
                                "an id of another source")
                // The same id twice in one batch: the first is stored, the second is a duplicate.
                let twice = [Fixtures.priced("c-0", user: "u1", cost: 5), Fixtures.priced("c-0", user: "u2", cost: 900)]
                try expectEqual(try store.store(twice), IngestOutcome(accepted: 1, duplicates: 1), "one id twice in a batch")
                // Ids equal as text but not as bytes ("é" and "e" + U+0301) are two events, as the
                // unique key sees them: alone, and beside an event stored already.
                let accents = [Fixtures.priced("caf\u{E9}"), Fixtures.priced("cafe\u{301}")]
                try expectEqual(try store.store(accents), IngestOutcome(accepted: 2, duplicates: 0), "ids equal only as text")
                let beside = [Fixtures.priced("a-1"), Fixtures.priced("\u{F1}o"), Fixtures.priced("n\u{303}o")]
                try expectEqual(try store.store(beside), IngestOutcome(accepted: 2, duplicates: 1), "the same beside a stored id")
                try expectEqual(try store.storage.spend(Fixtures.everything()).total.cost, Money(nanos: 511 * 7 + 5 + 4 * 7), "spend")
            }
        },
        Check("of a batch whose sums would overflow a stored counter, only the events that cannot be stored are refused") { backend in
            try backend.withStore { store in
                try store.store([Fixtures.priced("near", tier: "frontier", cost: backend.counterCeiling - 10)])
                // Hold the writer (completions run on it) so that the next three are committed together.
                let gate = DispatchSemaphore(value: 0)
                let held = DispatchSemaphore(value: 0)
                try store.ingest.submit([Fixtures.priced("gate", model: "other", tier: "fast", cost: 1)]) { _ in
                    held.signal()
                    gate.wait()
                }
                held.wait()
                let before = Outcome(), overflowing = Outcome(), after = Outcome()
                try store.ingest.submit([Fixtures.priced("a1", model: "small", tier: "fast", cost: 5),
                                         Fixtures.priced("a2", model: "small", tier: "fast", cost: 5)]) { before.set($0) }
                // b1 and b3 would overflow the stored frontier row; b2 and b4 add to other rows.
                try store.ingest.submit([Fixtures.priced("b1", tier: "frontier", cost: 100), Fixtures.priced("b2", model: "small", tier: "fast", cost: 3),
                                         Fixtures.priced("b3", tier: "frontier", cost: 11), Fixtures.priced("b4", model: "medium", tier: "fast", cost: 4),
                                         Fixtures.priced("b5", tier: "frontier", cost: 10)]) { overflowing.set($0) }
                try store.ingest.submit([Fixtures.priced("c1", model: "medium", tier: "fast", cost: 7)]) { after.set($0) }
                gate.signal()
                try expectEqual(try before.wait().get(), IngestOutcome(accepted: 2, duplicates: 0), "the batch before")
                try expectEqual(try after.wait().get(), IngestOutcome(accepted: 1, duplicates: 0), "the batch after")
                try expectEqual(try overflowing.wait().get(), IngestOutcome(accepted: 3, duplicates: 0, refused: [
                    IngestOutcome.Refusal(index: 0, overflow: CounterOverflow(counter: "cost")),
                    IngestOutcome.Refusal(index: 2, overflow: CounterOverflow(counter: "cost")),
                ]), "b2, b4 and b5 (which still fits) stored; b1 and b3 refused, naming the counter")
                try expectEqual(try store.storage.eventCount(), 8, "near, gate, a1, a2, b2, b4, b5, c1")
                try expect(try store.storage.rollupDiscrepancies().isEmpty, "rollups = recomputation from the raw events")
                var frontier = Fixtures.everything()
                frontier.filters = [.tier: "frontier"]
                try expectEqual(try store.storage.spend(frontier).total.cost, Money(nanos: backend.counterCeiling), "the stored counter filled exactly, never wrapped")
            }
        },
        Check("no rollup row is shared by two sources: one source's sums never overflow a row another source adds to") { backend in
            try backend.withStore { store in
                // Source b fills the rows of user u to the last nano-dollar.
                try store.store([Fixtures.priced("b-1", source: "b", user: "u", cost: backend.counterCeiling - 10)])
                // Source a's events for the same user, tier, team and model are stored all the same.
                try expectEqual(try store.store([Fixtures.priced("a-1", source: "a", user: "u", cost: 100)]),
                                IngestOutcome(accepted: 1, duplicates: 0), "another source's events for the same user")
                let rows = try ["a", "b"].flatMap { source in
                    var query = Fixtures.everything(groupBy: [.user, .tier])
                    query.filters = [.source: source]
                    return try store.storage.spend(query).rows.map { "\(source) \($0.values.joined(separator: "/")) \($0.metrics.cost.nanos)" }
                }
                try expectEqual(rows, ["a u/frontier 100", "b u/frontier \(backend.counterCeiling - 10)"], "each source's own rows")
                try expect(try store.storage.rollupDiscrepancies().isEmpty, "rollups = recomputation from the raw events")
            }
        },
        Check("user rollups rebuilt from the detail rollups (the migration that gave them their source) are what ingest wrote") { backend in
            try backend.withStore { store in
                let days: [Int64] = [-40, -2, -1, 0].map { Fixtures.start + $0 * Fixtures.day }
                var events: [PricedEvent] = []
                for (index, time) in days.enumerated() {
                    for source in ["a", "b"] {
                        for user in ["u", "v"] {
                            events.append(Fixtures.priced("\(source)-\(user)-\(index)", source: source, time: time, user: user,
                                                          cost: Int64(index + 1) * 1_000, latency: Int64(index * 37 + 5)))
                        }
                    }
                }
                try store.store(events)
                func users() throws -> [String] {
                    var daily = Fixtures.everything(groupBy: [.user, .source, .tier])
                    daily.from = Fixtures.start - 60 * Fixtures.day
                    daily.interval = .day
                    var monthly = daily
                    monthly.interval = .month
                    return try [daily, monthly].flatMap { query in
                        try store.storage.spend(query).rows.map { row in
                            "\(row.bucket ?? -1) \(row.values.joined(separator: "/")) \(row.metrics.cost.nanos) \(row.metrics.requests) \(row.metrics.latency.encoded)"
                        }
                    }.sorted()
                }
                let before = try users()
                try expectEqual(before.count, 8 * 2 + 4 * 2, "a day row and a month row per (user, source) and day (two days share a month)")
                try backend.rebuildUserRollups(store.storage)
                try expectEqual(try users(), before, "the same rows, sums and latencies")
                try expect(try store.storage.rollupDiscrepancies().isEmpty, "rollups = recomputation from the raw events")
            }
        },
        Check("a full queue refuses instead of growing") { backend in
            let store = try backend.open(clock: .fixed(Fixtures.start), maximumQueuedEvents: 100)
            store.ingest.start()
            let gate = DispatchSemaphore(value: 0)
            let held = DispatchSemaphore(value: 0)
            try store.ingest.submit([Fixtures.priced("gate")]) { _ in
                held.signal()
                gate.wait()
            }
            held.wait()
            var released = false
            defer { if !released { gate.signal(); store.ingest.close() } }  // a failed check leaves no writer blocked
            try store.ingest.submit((0..<60).map { Fixtures.priced("first-\($0)") }) { _ in }
            try expectThrows(IngestRefusal.self, "a batch past the queue's bound") {
                try store.ingest.submit((0..<60).map { Fixtures.priced("second-\($0)") }) { _ in }
            }
            gate.signal()
            store.ingest.close()
            released = true
            try expectEqual(try store.storage.eventCount(), 61, "the gate and the first batch")
        },
        Check("closing commits what was queued and refuses more") { backend in
            let store = try backend.open(clock: .fixed(Fixtures.start), maximumQueuedEvents: 200_000)
            store.ingest.start()
            let acknowledged = Locked(0)
            for batch in 0..<20 {
                try store.ingest.submit((0..<50).map { Fixtures.priced("c\(batch)-\($0)") }) { result in
                    if case .success(let outcome) = result { acknowledged.withLock { $0 += outcome.accepted } }
                }
            }
            store.ingest.close()
            try expectEqual(acknowledged.withLock { $0 }, 1000, "acknowledged")
            try expectEqual(try store.storage.eventCount(), 1000, "stored")
            try expectThrows(IngestRefusal.self, "a batch after closing") {
                try store.ingest.submit([Fixtures.priced("late")]) { _ in }
            }
        },
        Check("the change feed hears of commits that stored new events") { backend in
            try backend.withStore { store in
                let heard = Locked(0)
                store.storage.changes.observe { change in if change == .spend { heard.withLock { $0 += 1 } } }
                try store.store([Fixtures.priced("o1")])
                try store.store([Fixtures.priced("o1")])
                try expectEqual(heard.withLock { $0 }, 1, "one commit with a new event (the duplicate stores nothing)")
                try expectEqual(store.ingest.statistics.committedEvents, 1, "committed events")
            }
        },
    ]
}
