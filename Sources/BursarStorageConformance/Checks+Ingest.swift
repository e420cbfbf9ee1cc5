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
        Check("a batch whose sums would overflow a stored counter is refused alone in its group commit") { backend in
            try backend.withStore { store in
                try store.store([Fixtures.priced("near", tier: "frontier", cost: .max - 10)])
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
                try store.ingest.submit([Fixtures.priced("b1", tier: "frontier", cost: 100)]) { overflowing.set($0) }
                try store.ingest.submit([Fixtures.priced("c1", model: "medium", tier: "fast", cost: 7)]) { after.set($0) }
                gate.signal()
                try expectEqual(try before.wait().get(), IngestOutcome(accepted: 2, duplicates: 0), "the batch before")
                try expectEqual(try after.wait().get(), IngestOutcome(accepted: 1, duplicates: 0), "the batch after")
                guard case .failure(let error) = overflowing.wait() else {
                    throw ConformanceFailure(message: "the overflowing batch was stored", location: #fileID)
                }
                try expectEqual(error as? CounterOverflow, CounterOverflow(counter: "cost"), "the refusal names the counter")
                try expectEqual(try store.storage.eventCount(), 5, "near, gate, a1, a2, c1; not b1")
                try expect(try store.storage.rollupDiscrepancies().isEmpty, "rollups = recomputation from the raw events")
                var frontier = Fixtures.everything()
                frontier.filters = [.tier: "frontier"]
                try expectEqual(try store.storage.spend(frontier).total.cost, Money(nanos: .max - 10), "the stored counter neither wrapped nor moved")
            }
        },
        Check("a full queue refuses instead of growing") { backend in
            let store = try backend.open(clock: .fixed(Fixtures.start), maximumQueuedEvents: 100)
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
        Check("commit observers hear of commits that stored new events") { backend in
            try backend.withStore { store in
                let heard = Locked(0)
                store.ingest.observeCommits { heard.withLock { $0 += 1 } }
                try store.store([Fixtures.priced("o1")])
                try store.store([Fixtures.priced("o1")])
                try expectEqual(heard.withLock { $0 }, 1, "one commit with a new event (the duplicate stores nothing)")
                try expectEqual(store.ingest.statistics.committedEvents, 1, "committed events")
            }
        },
    ]
}
