import BursarCore
import BursarSQLite
import BursarStorage
import BursarServices
import BursarTesting
import Foundation
import Testing

@Suite struct PolicyFileTests {
    static let valid = """
        name: test
        baseline_tier: frontier
        ladder: [fast, frontier]
        default_tier: fast
        tiers:
          fast:
            models:
              - {provider: groq, model: llama-3.1-8b-instant}
            latency_slo_ms: 300
          frontier:
            models:
              - {provider: openai, model: gpt-4o}
        rules:
          - id: hard
            when: {complexity: {at_least: 0.7}}
            tier: frontier
        escalation:
          confidence_band: [0.45, 0.55]
        """

    @Test func theShippedPoliciesPass() throws {
        let folder = ServerProcess.packageRoot.appendingPathComponent("policies")
        let catalog = PriceCatalog(version: 1, prices: try PriceFile.load(path: folder.appendingPathComponent("prices.yaml").path).prices)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") && $0 != "prices.yaml" }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let reading = PolicyFile.read(text, catalog: catalog)
            #expect(reading.problems.isEmpty, "\(file): \(reading.problems)")
        }
    }

    @Test func theDefaultPolicyModelsTheRoutingPatterns() throws {
        let text = try String(contentsOf: ServerProcess.packageRoot.appendingPathComponent("policies/default.yaml"), encoding: .utf8)
        let policy = try #require(PolicyFile.read(text).policy)
        #expect(Set(policy.tiers.map(\.name)) == ["fast", "standard", "frontier", "secure"])
        #expect(policy.tiers.filter { $0.name != "secure" }.allSatisfy { Set($0.models.map(\.provider)).count == 2 })
        #expect(policy.tier(named: "fast")?.latencySLOMillis == 300)
        let pii = try #require(policy.rules.first { $0.when.pii == true })
        #expect(pii.tier == "secure" && pii.lock)
        #expect(policy.rules.contains { $0.when.team == ["executives"] && $0.tier == "frontier" })
        #expect(policy.rules.contains { $0.when.intent?.contains("code_generation") == true && $0.tier == "frontier" })
        #expect(policy.rules.contains { $0.when.contextTokens?.atLeast == 8000 && $0.tier == "standard" })
        #expect(policy.escalation.confidenceBand == 0.45...0.55)
        #expect(policy.baselineModel == ModelKey(provider: "openai", model: "gpt-4o-2024-08-06"))
    }

    @Test(arguments: [
        ("default_tier: fast", "default_tier: galaxy", "default_tier", 4),
        ("ladder: [fast, frontier]", "ladder: [fast, galaxy]", "ladder[1]", 3),
        ("      - {provider: groq, model: llama-3.1-8b-instant}\n", "      []\n", "tiers.fast.models", 7),
        ("    tier: frontier", "    tier: galaxy", "rules[0].tier", 16),
        ("[0.45, 0.55]", "[0.45, 1.55]", "escalation.confidence_band", 18),
        ("{complexity: {at_least: 0.7}}", "{complexity: {at_least: 7}}", "rules[0].when.complexity", 15),
        ("latency_slo_ms: 300", "latency_slo_ms: fast", "tiers.fast.latency_slo_ms", 9),
        ("latency_slo_ms: 300", "latency_slo: 300", "tiers.fast.latency_slo", 9),
    ])
    func errorsNameTheFieldAndLine(original: String, replacement: String, field: String, line: Int) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        let reading = PolicyFile.read(text)
        #expect(reading.policy == nil)
        let problem = reading.errors.first { $0.field == field }
        #expect(problem != nil, "\(reading.problems)")
        #expect(problem?.line == line, "\(reading.problems)")
    }

    @Test func duplicateAndUnreachableRulesAreErrors() {
        let extra = """
              - id: hard
                when: {intent: faq}
                tier: fast
              - id: anything
                tier: fast
              - id: never
                when: {intent: legal}
                tier: frontier

            """
        let text = Self.valid.replacingOccurrences(of: "escalation:", with: extra + "escalation:")
        let fields = PolicyFile.read(text).errors.map { "\($0.field) \($0.line ?? 0)" }
        #expect(fields.contains("rules[1].id 17"), "\(fields)")
        #expect(fields.contains("rules[3] 22"), "\(fields)")
    }

    @Test func aModelWithoutAPriceIsAWarning() {
        let catalog = PriceCatalog(version: 1, prices: [TestPrices.price("openai", "gpt-4o", input: "1", output: "1")])
        let reading = PolicyFile.read(Self.valid, catalog: catalog)
        #expect(reading.policy != nil)
        #expect(reading.problems.map(\.severity) == [.warning])
        #expect(reading.problems.first?.field == "tiers.fast.models[0]")
    }

    @Test func notYAMLIsAnError() {
        let reading = PolicyFile.read("name: [unclosed")
        #expect(reading.policy == nil && reading.errors.first?.field == "(file)")
    }

    @Test func breakerAndTierNumbersAreBounded() {
        let huge = Self.valid + "\ncircuit_breaker: {error_rate: 0.5, min_requests: 20, window_seconds: 1000000000000, cooldown_seconds: 9223372036854775807}\n"
        let reading = PolicyFile.read(huge)
        #expect(reading.errors.contains { $0.field == "circuit_breaker.window_seconds" }, "\(reading.errors)")
        #expect(reading.errors.contains { $0.field == "circuit_breaker.cooldown_seconds" })
        // A router given such numbers anyway (an old bundle) keeps a bounded window.
        var breaker = CircuitBreakerState(settings: Policy.CircuitBreaker(errorRate: 0.5, minRequests: 1, windowSeconds: .max,
                                                                          cooldownSeconds: .max, whenOpen: .promote))
        breaker.record(success: false, at: 1_000)
        #expect(breaker.state == .open && !breaker.allows(at: 2_000))
    }
}
