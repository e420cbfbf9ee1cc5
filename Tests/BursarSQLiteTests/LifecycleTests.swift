import Locking
import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Synchronization
import Testing

/// Raw events past the retention window go, rollups stay, and the SQLite file stops growing.
@Suite struct LifecycleTests {
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_790_000_000_000

    func events(day: Int, count: Int) -> [PricedEvent] {
        (0..<count).map { index in
            var event = UsageEvent(id: "d\(day)-\(index)", source: "s", time: Self.start + Int64(day) * Self.day + Int64(index) * 20_000,
                                   model: "gpt-4o", provider: "openai", tier: "frontier", inputTokens: 100, outputTokens: 10)
            event.user = "u\(index % 5)"
            event.feature = "f\(index % 3)"
            event.requestID = "request-\(day)-\(index)-with-some-length"
            return PricedEvent(event: event, cost: EventCost(cost: Money(nanos: 1_000), baseline: Money(nanos: 3_000), basis: .catalog, priceID: 1))
        }
    }

    @Test func theFileStopsGrowingUnderSteadyLoadWhileRollupsKeepEverything() throws {
        let directory = NSTemporaryDirectory() + "bursar-retention-\(UUID().uuidString)"
        let database = try SQLiteDatabase(path: directory + "/bursar.db", durability: .normal)
        let writer = IngestWriter(database: database, logger: .forTests)
        writer.start()
        defer { writer.close() }
        let now = Locked<Int64>(Self.start)
        let retention = RawEventRetention(database: database, retainDays: 3, clock: WallClock { now.withLock { $0 } }, logger: .forTests)
        var sizes: [Int] = []
        let perDay = 4_000
        for day in 0..<14 {
            let done = DispatchSemaphore(value: 0)
            try writer.submit(events(day: day, count: perDay)) { _ in done.signal() }
            done.wait()
            now.withLock { $0 = Self.start + Int64(day + 1) * Self.day }
            try retention.runOnce()
            let counts = try database.pageCounts()
            // The database's size in pages (free ones included: what the file holds once the
            // WAL is checkpointed).
            sizes.append(counts.pages * counts.pageSize)
            #expect(counts.free < 2 * RawEventRetention.pagesPerStep, "freed pages are returned")
        }
        // Only the last three days of raw events remain; the file has stopped growing.
        #expect(try database.eventCount() == 3 * perDay)
        #expect(Double(sizes[13]) <= Double(sizes[6]) * 1.10, "sizes by day: \(sizes)")
        // Spend still counts all fourteen days, from the rollups.
        var query = SpendQuery(from: Self.start - Self.day, to: Self.start + 15 * Self.day)
        query.groupBy = [.user]
        let report = try database.spend(query)
        #expect(report.total.requests == Int64(14 * perDay))
        #expect(report.total.cost == Money(nanos: Int64(14 * perDay) * 1_000))
    }
}
