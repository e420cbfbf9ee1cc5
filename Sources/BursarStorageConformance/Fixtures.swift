import Locking
import BursarCore
import BursarStorage
import Dispatch
import Foundation

/// Events, prices and policies the checks store.
enum Fixtures {
    /// 2026-11-25 08:52:06 UTC.
    static let start: Int64 = 1_795_596_726_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// An event with its cost already worked out (pricing is above storage).
    static func priced(_ id: String, source: String = "s", time: Int64 = start, model: String = "gpt-4o",
                       tier: String = "frontier", user: String? = nil, feature: String? = nil,
                       cost: Int64 = 7, baseline: Int64 = 9, latency: Int64? = nil) -> PricedEvent {
        var event = UsageEvent(id: id, source: source, time: time, model: model, provider: "openai", tier: tier,
                               inputTokens: 10, outputTokens: 10)
        event.user = user ?? ""
        event.feature = feature ?? ""
        event.latencyMillis = latency
        return PricedEvent(event: event, cost: EventCost(cost: Money(nanos: cost), baseline: Money(nanos: baseline),
                                                         basis: .catalog, priceID: 1))
    }

    /// A two-tier policy named `name`.
    static func policy(_ name: String, defaultTier: String = "fast") -> Policy {
        Policy(name: name, baselineTier: "frontier", ladder: ["fast", "frontier"], defaultTier: defaultTier, tiers: [
            Policy.Tier(name: "fast", models: [ModelKey(provider: "groq", model: "llama-3.1-8b-instant")]),
            Policy.Tier(name: "frontier", models: [ModelKey(provider: "openai", model: "gpt-4o")]),
        ])
    }

    static func budget(_ id: String, period: BudgetPeriod = .day, zone: String = "UTC", limitNanos: Int64,
                       scope: [RollupDimension: String] = [:], action: Budget.Action = .block) -> Budget {
        Budget(id: id, scope: scope, period: period, timeZone: TimeZone(identifier: zone)!,
               limit: Money(nanos: limitNanos), action: action)
    }

    /// A query over everything the checks store (a day either side of `start`, and more).
    static func everything(groupBy: [RollupDimension] = []) -> SpendQuery {
        let hourStart = start / hour * hour
        var query = SpendQuery(from: hourStart - 30 * day, to: hourStart + 30 * day)
        query.groupBy = groupBy
        return query
    }
}

extension StoreUnderTest {
    /// Stores `events` as one batch and waits for the outcome.
    @discardableResult
    func store(_ events: [PricedEvent]) throws -> IngestOutcome {
        let result = Outcome()
        try ingest.submit(events) { result.set($0) }
        return try result.wait().get()
    }
}

/// One completion's result, waited for.
final class Outcome: Sendable {
    private let result = Locked<Result<IngestOutcome, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func set(_ result: Result<IngestOutcome, any Error>) {
        self.result.withLock { $0 = result }
        done.signal()
    }

    func wait() -> Result<IngestOutcome, any Error> {
        done.wait()
        return result.withLock { $0! }
    }
}
