import Foundation
import BursarCore
import BursarDemo
import BursarSQLite
import BursarStorage
import BursarServices

/// The synthetic events every benchmark uses, priced with the shipped price list.
enum BenchCorpus {
    /// Live traffic: `count` events over the hour before `now`, in time order, as routers ship them.
    static func events(count: Int, users: Int, now: Int64, seed: UInt64, source: String = "bench") -> [UsageEvent] {
        var generator = TrafficGenerator(source: source, users: users, from: now - 3_600_000, to: now - 1000, seed: seed)
        var events: [UsageEvent] = []
        events.reserveCapacity(count)
        while events.count < count {
            events.append(contentsOf: generator.nextRequest().prefix(count - events.count))
        }
        return events.sorted { $0.time < $1.time }
    }

    static func costing(pricesFile: String) throws -> Costing {
        let prices = try PriceFile.load(path: pricesFile).prices.enumerated().map { index, price in
            var numbered = price
            numbered.id = Int64(index + 1)
            return numbered
        }
        return Costing(catalog: PriceCatalog(version: 1, prices: prices),
                       baselineModel: ModelKey(provider: "openai", model: "gpt-4o-2024-08-06"))
    }

    /// The ingest corpus priced as the server would, for the raw-store references.
    static func priced(count: Int, seed: UInt64, pricesFile: String) throws -> [PricedEvent] {
        let costing = try costing(pricesFile: pricesFile)
        return try events(count: count, users: 10_000, now: Int64(Date().timeIntervalSince1970 * 1000), seed: seed, source: "bench-\(seed)")
            .map { PricedEvent(event: $0, cost: try costing.cost(of: $0)) }
    }

    /// Rows per second of `store`, which stores the rows and returns how many it stored.
    static func rate(_ store: () throws -> Int) rethrows -> Int {
        let started = ContinuousClock.now
        let stored = try store()
        return Int(Double(stored) / BursarBench.Ingest.seconds(ContinuousClock.now - started))
    }
}
