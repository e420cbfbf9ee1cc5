import ArgumentParser
import BursarClient
import BursarCore
import BursarDemo
import BursarSQLite
import BursarStorage
import BursarServices
import Foundation

extension BursarBench {
    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Policy decisions per second on one core (the SDK's decide).")

        @Option(help: "The policy file.") var policy = "policies/default.yaml"
        @Option var decisions = 5_000_000

        func run() throws {
            guard let data = FileManager.default.contents(atPath: policy), let parsed = PolicyFile.read(String(decoding: data, as: UTF8.self), catalog: nil).policy else {
                throw ValidationError("cannot read a valid policy from \(policy)")
            }
            let overrides = [
                Override(id: "ceo", match: ["user": "user-7"], effect: .forceTier, tier: "frontier", expiresAt: nil, reason: "", author: ""),
                Override(id: "legal", match: ["team": "legal"], effect: .minTier, tier: "standard", expiresAt: nil, reason: "", author: ""),
            ]
            let budgets = [
                RoutingBundle.BudgetState(id: "support", scope: [.feature: "support-chat"], state: .exceeded, action: .downgrade, downgradeTo: "fast"),
                RoutingBundle.BudgetState(id: "interns", scope: [.team: "interns"], state: .exceeded, action: .block),
            ]
            let engine = PolicyEngine(policy: parsed, revision: "bench", overrides: overrides, budgets: budgets)
            var generator = SplitMix(seed: 5)
            let requests = (0..<4096).map { index in
                RoutingRequest(user: "user-\(generator.next() % 50)", team: ["support", "legal", "executives", "interns", "sales"][Int(generator.next() % 5)],
                               feature: ["support-chat", "search", "contract-review", "code-assist"][Int(generator.next() % 4)],
                               intent: ["faq", "legal_analysis", "code_generation", "chat"][Int(generator.next() % 4)],
                               complexity: Double(generator.next() % 100) / 100, confidence: Double(generator.next() % 100) / 100,
                               pii: generator.next() % 20 == 0, contextTokens: Int64(generator.next() % 12_000), requestID: "r-\(index)")
            }
            var tierLetters = 0
            let started = DispatchTime.now().uptimeNanoseconds
            for index in 0..<decisions {
                let decision = engine.decide(requests[index & 4095], now: 0)
                tierLetters &+= decision.tier.utf8.count &+ (decision.blocked ? 1 : 0)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            print("decide_per_second \(Int(Double(decisions) / seconds)) ns_per_decision \(String(format: "%.0f", seconds * 1e9 / Double(decisions))) checksum \(tierLetters)")
        }
    }

    struct Shipper: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The event shipper's cost per event on the caller's thread.")

        @Option var url = "http://127.0.0.1:8080"
        @Option var key: String
        @Option var events = 500_000

        func run() throws {
            let endpoint = try BursarEndpoint(url: url, key: key)
            var configuration = EventShipper.Configuration(endpoint: endpoint)
            configuration.queueLimit = events
            let shipper = try EventShipper(configuration: configuration)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let batch = (0..<events).map { index in
                var event = UsageEvent(id: "ship-\(index)", source: "bench-shipper", time: now - Int64(index % 86_400_000), model: "llama-3.1-8b-instant",
                                       provider: "groq", tier: "fast", inputTokens: 900, outputTokens: 120)
                event.user = "user-\(index % 1000)"
                event.feature = "support-chat"
                return event
            }
            // The floor: appending the same events to an array on one thread.
            var floor: [UsageEvent] = []
            floor.reserveCapacity(events)
            let floorStarted = DispatchTime.now().uptimeNanoseconds
            for event in batch { floor.append(event) }
            let floorNanos = Double(DispatchTime.now().uptimeNanoseconds - floorStarted) / Double(events)

            let started = DispatchTime.now().uptimeNanoseconds
            for event in batch { shipper.ship(event) }
            let shipNanos = Double(DispatchTime.now().uptimeNanoseconds - started) / Double(events)
            let flushed = shipper.flush(timeout: 120)
            let statistics = shipper.statistics
            shipper.close()
            print("ship_ns_per_event \(String(format: "%.0f", shipNanos)) array_append_ns_per_event \(String(format: "%.0f", floorNanos))"
                + " accepted \(statistics.accepted) dropped \(statistics.dropped) flushed \(flushed) floor \(floor.count)")
            guard statistics.accepted == events else {
                throw ValidationError("the server accepted \(statistics.accepted) of \(events) shipped events; may the key write source bench-shipper?")
            }
        }
    }
}
