import BursarCore
import BursarPostgres
import BursarStorage
import BursarTesting
import Foundation
import Locking
import Testing

/// Two replicas adding to one rollup row at once: each writes its own shard, and the sum of
/// the shards must still fit in 64 bits, whatever the interleaving.
@Suite struct PostgresShardHeadroomTests {
    static func event(_ id: String, cost: Int64) -> PricedEvent {
        let event = UsageEvent(id: id, source: "edge", time: 1_800_000_000_000, model: "gpt-4o", provider: "openai",
                               tier: "frontier", inputTokens: 10, outputTokens: 10)
        return PricedEvent(event: event, cost: EventCost(cost: Money(nanos: cost), baseline: .zero, basis: .catalog, priceID: 1))
    }

    static func store(_ events: [PricedEvent], _ writer: IngestWriter) throws -> Result<IngestOutcome, any Error> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<IngestOutcome, any Error>?>(nil)
        try writer.submit(events) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try #require(outcome.withLock { $0 })
    }

    /// Both writers read the row before either commits (every rollup table is locked against
    /// writes until both wait); before the fix both then committed 2^62, a row summing past
    /// `Int64.max` that no read could add up.
    @Test func twoReplicasAddingToOneRowAtOnceNeverSumItPast64Bits() throws {
        let url = try PostgresCluster.started().createDatabase()
        let databases = [try PostgresDatabase(url: url), try PostgresDatabase(url: url)]
        let writers = databases.map { IngestWriter(database: $0, logger: .forTests) }
        writers.forEach { $0.start() }
        defer { writers.forEach { $0.close() } }
        for (index, writer) in writers.enumerated() {
            #expect(try Self.store([Self.event("lease-\(index)", cost: 1)], writer).get().accepted == 1)
        }
        #expect(Set(databases.compactMap(\.shard)).count == 2, "two shards")

        let holder = try PostgresConnection(url: url)
        let tables = try holder.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'rollup\\_%'").map { try $0.text(0) }
        #expect(tables.count >= 6, "\(tables)")
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE \(tables.joined(separator: ", ")) IN EXCLUSIVE MODE")
        let outcomes = Locked<[Result<IngestOutcome, any Error>]>([])
        let done = DispatchSemaphore(value: 0)
        for (index, writer) in writers.enumerated() {
            try writer.submit([Self.event("large-\(index)", cost: 1 << 62)]) { result in
                outcomes.withLock { $0.append(result) }
                done.signal()
            }
        }
        let bothWaiting = try eventually(within: 20) {
            try holder.execute("""
                SELECT count(*)::BIGINT FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND a.datname = current_database()
                """).first?.integer(0) == 2
        }
        #expect(bothWaiting, "both writers wait, each having read the row")
        try holder.execute("COMMIT")
        for _ in writers { #expect(done.wait(timeout: .now() + 30) == .success) }

        let results = outcomes.withLock { $0 }
        let accepted = results.compactMap { try? $0.get() }.filter { $0.accepted == 1 && $0.refused.isEmpty }
        let refused = results.compactMap { try? $0.get() }.filter { $0.refused.map(\.overflow) == [CounterOverflow(counter: "cost")] }
        #expect(accepted.count == 1 && refused.count == 1, "one stored, one refused naming the counter: \(results)")
        #expect(try databases[0].rollupDiscrepancies() == [], "no row's shards add up past 64 bits")
        var query = SpendQuery(from: 1_799_900_000_000, to: 1_800_100_000_000)
        query.filters = [.tier: "frontier"]
        #expect(try databases[1].spend(query).total.cost == Money(nanos: 2 + (1 << 62)))
    }

    @Test func aRowHoldsTheCeilingWithRoomKeptForEveryOtherShard() throws {
        let url = try PostgresCluster.started().createDatabase()
        let database = try PostgresDatabase(url: url)
        let writer = IngestWriter(database: database, logger: .forTests)
        writer.start()
        defer { writer.close() }
        #expect(try Self.store([Self.event("full", cost: PostgresDatabase.counterCeiling)], writer).get().accepted == 1)
        let over = try Self.store([Self.event("one-more", cost: 1)], writer).get()
        #expect(over.refused.map(\.overflow) == [CounterOverflow(counter: "cost")], "\(over)")
        #expect(PostgresDatabase.counterCeiling == Int64.max - 63 << 56, "about $4.68 billion: \(PostgresDatabase.counterCeiling)")
    }

    /// At most 64 replicas write at once: with every shard's lease held, a writer's commit is
    /// refused (and names why), never given a 65th shard.
    @Test func atMost64ReplicasWriteAtOnce() throws {
        let url = try PostgresCluster.started().createDatabase()
        let database = try PostgresDatabase(url: url)
        let holder = try PostgresConnection(url: url)
        for shard in 0..<64 {
            try holder.execute("SELECT pg_advisory_lock($1::INTEGER, $2::INTEGER)", [.integer(0x6272_7372), .integer(Int64(shard))])
        }
        let writer = IngestWriter(database: database, logger: .forTests)
        writer.start()
        defer { writer.close() }
        let result = try Self.store([Self.event("sixty-fifth", cost: 1)], writer)
        #expect(throws: (any Error).self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".contains("all 64 rollup shards are held"), "\(error)") }
        #expect(database.shard == nil)
    }
}
