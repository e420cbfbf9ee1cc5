import BursarCore
import BursarStore

/// The synthetic events every benchmark uses, priced with the shipped price list.
enum BenchCorpus {
    static func events(count: Int, users: Int, days: Int, now: Int64, seed: UInt64, source: String = "bench") -> [UsageEvent] {
        var generator = TrafficGenerator(source: source, users: users, from: now - Int64(days) * 86_400_000, to: now - 60_000, seed: seed)
        var events: [UsageEvent] = []
        events.reserveCapacity(count)
        while events.count < count {
            events.append(contentsOf: generator.nextRequest().prefix(count - events.count))
        }
        return events
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
