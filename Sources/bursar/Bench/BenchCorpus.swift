import BursarCore
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
}
