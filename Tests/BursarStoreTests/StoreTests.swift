import BursarCore
import BursarStore
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

@Suite struct StoreTests {
    func priced(_ count: Int, prefix: String) -> [PricedEvent] {
        (0..<count).map { index in
            var event = UsageEvent(id: "\(prefix)-\(index)", source: "s", time: 1_795_375_926_000 + Int64(index) * 60_000,
                                   model: "gpt-4o", provider: "openai", tier: "frontier", inputTokens: 10, outputTokens: 10)
            event.user = "u\(index % 3)"
            event.latencyMillis = Int64(index)
            return PricedEvent(event: event, cost: EventCost(cost: Money(nanos: 7), baseline: Money(nanos: 9), basis: .catalog, priceID: 1))
        }
    }

    func submit(_ writer: IngestWriter, _ events: [PricedEvent]) throws -> IngestWriter.Outcome {
        let result = Locked<Result<IngestWriter.Outcome, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        try writer.submit(events) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    @Test func theWriterDeduplicatesAndKeepsRollupsExact() throws {
        let database = try BursarDatabase()
        let writer = IngestWriter(database: database)
        defer { writer.close() }
        let events = priced(500, prefix: "a")
        #expect(try submit(writer, events) == IngestWriter.Outcome(accepted: 500, duplicates: 0))
        #expect(try submit(writer, Array(events[100..<200]) + priced(10, prefix: "b")) == IngestWriter.Outcome(accepted: 10, duplicates: 100))
        #expect(try database.eventCount() == 510)
        #expect(try database.rollupDiscrepancies().isEmpty)
        var query = SpendQuery(from: 1_795_372_400_000, to: 1_795_500_000_000)
        query.groupBy = [.user]
        let report = try database.spend(query)
        #expect(report.total.cost == Money(nanos: 510 * 7))
        #expect(report.rows.map(\.values) == [["u0"], ["u1"], ["u2"]])
    }

    @Test func aFullQueueRefusesInsteadOfGrowing() throws {
        let database = try BursarDatabase()
        let writer = IngestWriter(database: database, maximumQueuedEvents: 100)
        // The writer runs completions on its own thread: holding one keeps it busy, so the
        // queue can only grow.
        let gate = DispatchSemaphore(value: 0)
        let writerHeld = DispatchSemaphore(value: 0)
        try writer.submit(priced(1, prefix: "gate")) { _ in
            writerHeld.signal()
            gate.wait()
        }
        writerHeld.wait()
        try writer.submit(priced(60, prefix: "first")) { _ in }
        #expect(throws: IngestWriter.SubmitError.overloaded) { try writer.submit(priced(60, prefix: "second")) { _ in } }
        gate.signal()
        writer.close()
        #expect(try database.eventCount() == 61)
    }

    @Test func aClosedWriterCommitsWhatWasQueuedAndRefusesMore() throws {
        let database = try BursarDatabase()
        let writer = IngestWriter(database: database)
        let acknowledged = Locked(0)
        for batch in 0..<20 {
            try writer.submit(priced(50, prefix: "c\(batch)")) { result in
                if case .success(let outcome) = result { acknowledged.withLock { $0 += outcome.accepted } }
            }
        }
        writer.close()
        #expect(acknowledged.withLock { $0 } == 1000)
        #expect(try database.eventCount() == 1000)
        #expect(throws: IngestWriter.SubmitError.self) { try writer.submit(priced(1, prefix: "late")) { _ in } }
    }

    @Test func keysAreStoredAsHashesAndRevocable() throws {
        let database = try BursarDatabase()
        let secret = try database.createKey(name: "edge", role: .router)
        #expect(try database.authenticate(secret: secret)?.role == .router)
        #expect(try database.authenticate(secret: secret + "x") == nil)
        #expect(throws: KeyError.self) { try database.createKey(name: "edge", role: .admin) }
        try database.revokeKey(name: "edge")
        #expect(try database.authenticate(secret: secret) == nil)
        #expect(try database.listKeys().first?.revokedAt != nil)
    }

    @Test func theShippedPriceFileLoadsAndImportsOnce() throws {
        let path = ServerProcess.packageRoot.appendingPathComponent("policies/prices.yaml").path
        let file = try PriceFile.load(path: path)
        #expect(file.prices.count > 30)
        let providers = Set(file.prices.map(\.provider))
        #expect(providers.isSuperset(of: ["openai", "anthropic", "google", "groq", "together", "mistral", "deepseek", "qwen"]))
        let database = try BursarDatabase()
        let (first, imported) = try database.importPriceFile(file.prices, content: file.content)
        #expect(imported && first.version == 1)
        let (second, again) = try database.importPriceFile(file.prices, content: file.content)
        #expect(!again && second.version == 1)
        let mini = try #require(second.price(for: ModelKey(provider: "openai", model: "gpt-4o-mini"), at: 1_795_375_926_000))
        #expect(mini.cachedInputPerMillion == Money(decimal: "0.075"))
    }

    @Test func aBrokenPriceFileNamesTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UUID().uuidString).yaml").path
        try "prices:\n  - {provider: a, model: b, input: 1, output: 1}\n  - {provider: a, model: c, input: cheap, output: 1}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try PriceFile.load(path: path)
        } throws: { error in
            "\(error)".contains(":3:") && "\(error)".contains("prices[1].input")
        }
    }
}


/// One batch that would overflow a stored counter is refused alone; the batches committed
/// with it in the same group commit are stored.
@Suite struct GroupCommitIsolationTests {
    /// Events of one tier share rows of the per-user rollups whatever their model: the others
    /// get a tier of their own.
    func event(_ id: String, model: String, cost: Int64) -> PricedEvent {
        let event = UsageEvent(id: id, source: "s", time: 1_795_375_926_000, model: model, provider: "openai",
                               tier: model == "big" ? "frontier" : "fast",
                               inputTokens: 10, outputTokens: 10)
        return PricedEvent(event: event, cost: EventCost(cost: Money(nanos: cost), baseline: .zero, basis: .catalog, priceID: 1))
    }

    @Test func anOverflowingBatchIsRefusedAloneInItsGroupCommit() throws {
        let database = try BursarDatabase()
        let writer = IngestWriter(database: database)
        defer { writer.close() }
        let results = Locked<[String: Result<IngestWriter.Outcome, any Error>]>([:])
        let done = DispatchSemaphore(value: 0)
        func submit(_ name: String, _ events: [PricedEvent]) throws {
            try writer.submit(events) { result in
                results.withLock { $0[name] = result }
                done.signal()
            }
        }
        // A stored row near the top of its cost counter.
        try submit("near", [event("near", model: "big", cost: .max - 10)])
        done.wait()
        // Hold the writer so that the next three batches are taken in one group commit.
        let gate = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        try writer.submit([event("gate", model: "other", cost: 1)]) { _ in
            held.signal()
            gate.wait()
        }
        held.wait()
        try submit("before", [event("a1", model: "small", cost: 5), event("a2", model: "small", cost: 5)])
        try submit("overflowing", [event("b1", model: "big", cost: 100)])
        try submit("after", [event("c1", model: "medium", cost: 7)])
        gate.signal()
        for _ in 0..<3 { done.wait() }
        let outcomes = results.withLock { $0 }
        #expect(try outcomes["before"]?.get() == IngestWriter.Outcome(accepted: 2, duplicates: 0))
        #expect(try outcomes["after"]?.get() == IngestWriter.Outcome(accepted: 1, duplicates: 0))
        #expect(throws: CounterOverflow(counter: "cost")) { try outcomes["overflowing"]?.get() }
        #expect(try database.eventCount() == 5, "near, gate, a1, a2, c1; not b1")
        #expect(try database.rollupDiscrepancies().isEmpty)
        var query = SpendQuery(from: 1_795_372_400_000, to: 1_795_500_000_000)
        query.groupBy = [.model]
        query.filters = [.model: "big"]
        #expect(try database.spend(query).total.cost == Money(nanos: .max - 10), "the stored counter neither wrapped nor moved")
    }

    @Test func aBatchWhoseOwnSumsOverflowIsRefusedBeforeTheWriter() throws {
        let database = try BursarDatabase()
        let writer = IngestWriter(database: database)
        defer { writer.close() }
        let refusal = Locked<(any Error)?>(nil)
        try writer.submit([event("x1", model: "m", cost: .max), event("x2", model: "m", cost: 1)]) { result in
            if case .failure(let error) = result { refusal.withLock { $0 = error } }
        }
        #expect(refusal.withLock { $0 } as? CounterOverflow == CounterOverflow(counter: "cost"))
        #expect(throws: CounterOverflow(counter: "cost")) { try IngestBatch([event("x1", model: "m", cost: .max), event("x2", model: "m", cost: 1)]) }
    }
}

/// The database holds every event and key digest: only its owner may read it.
@Suite struct DatabaseFileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func databaseFilesAreOwnerOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("new.db").path
        let database = try BursarDatabase(path: path)
        _ = try database.createKey(name: "k", role: .router)
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        let copy = folder.appendingPathComponent("copy.db").path
        try database.backup(to: copy)
        #expect(try mode(copy) == 0o600)
        // A database made readable by others (an older version made it 0644) is tightened on open.
        let old = folder.appendingPathComponent("old.db").path
        #expect(FileManager.default.createFile(atPath: old, contents: nil, attributes: [.posixPermissions: 0o644]))
        _ = try BursarDatabase(path: old)
        #expect(try mode(old) == 0o600)
    }
}
