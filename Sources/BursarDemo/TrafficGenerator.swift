import BursarCore
import Foundation

/// Synthetic but realistic router traffic: tiers near 76/19/5 percent, a few power users,
/// fallbacks and escalations as extra attempts of one request, some unpriced models.
public struct TrafficGenerator {
    struct Tier {
        var name: String
        var chain: [ModelKey]
        var medianLatency: Double
    }

    static let tiers: [Tier] = [
        Tier(name: "fast", chain: [ModelKey(provider: "groq", model: "llama-3.1-8b-instant"),
                                   ModelKey(provider: "together", model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo")],
             medianLatency: 240),
        Tier(name: "standard", chain: [ModelKey(provider: "anthropic", model: "claude-3-5-haiku-20241022"),
                                       ModelKey(provider: "openai", model: "gpt-4o-mini")],
             medianLatency: 900),
        Tier(name: "frontier", chain: [ModelKey(provider: "openai", model: "gpt-4o-2024-08-06"),
                                       ModelKey(provider: "anthropic", model: "claude-3-opus-20240229")],
             medianLatency: 2600),
        Tier(name: "secure", chain: [ModelKey(provider: "onprem", model: "llama-3.1-70b-instruct")], medianLatency: 1400),
    ]
    static let unpricedModel = ModelKey(provider: "local", model: "qwen2.5-7b-support-ft")
    static let features = ["support-chat", "email-drafting", "code-assist", "contract-review", "search", "summarize"]
    static let intents = ["faq", "chitchat", "summarization", "code_generation", "legal_analysis", "contract_review", "extraction"]

    let source: String
    let users: Int
    let from: Int64
    let to: Int64
    private var random: SplitMix
    private var requestNumber = 0
    private let runID: String

    public init(source: String, users: Int, from: Int64, to: Int64, seed: UInt64) {
        self.source = source
        self.users = max(1, users)
        self.from = from
        self.to = to
        random = SplitMix(seed: seed)
        runID = String(seed, radix: 36)
    }

    /// The attempts of the next user request (one, or more with fallback and escalation).
    public mutating func nextRequest() -> [UsageEvent] {
        requestNumber += 1
        let requestID = "req-\(runID)-\(requestNumber)"
        let user = pickUser()
        let team = Self.team(percentile: Int(userHash(user) % 100))
        let feature = Self.features[Int(userHash(user + "f") % UInt64(Self.features.count))]
        let time = from + Int64.random(in: 0..<max(1, to - from), using: &random)
        let pii = random.chance(0.02)
        let roll = Double.random(in: 0..<1, using: &random)
        var tierIndex = pii ? 3 : (roll < 0.84 ? 0 : (roll < 0.98 ? 1 : 2))
        // Executives always get the frontier tier; the first power user does heavy legal work.
        if !pii, team == "executives" || (user.hasPrefix("power-user-1@") && random.chance(0.3)) { tierIndex = 2 }
        let complexity = (Double.random(in: 0..<1, using: &random) * 100).rounded() / 100
        // Most answers come back confident; a few land in the 0.45–0.55 escalation band.
        let confidence = ((1 - 0.7 * pow(Double.random(in: 0..<1, using: &random), 3)) * 100).rounded() / 100
        let intent = Self.intents[Int.random(in: 0..<Self.intents.count, using: &random)]
        let input = Int64(random.logNormal(median: 900, spread: 0.8)).clamped(20, 120_000)
        let output = Int64(random.logNormal(median: 220, spread: 0.7)).clamped(5, 8_000)

        var attempts: [UsageEvent] = []
        func attempt(_ tier: Tier, _ model: ModelKey, reason: AttemptReason, status: EventStatus) {
            var event = UsageEvent(id: "\(requestID)-\(attempts.count + 1)", source: source,
                                   time: time + Int64(attempts.count) * 1500, model: model.model,
                                   provider: model.provider, tier: tier.name, inputTokens: input,
                                   outputTokens: status == .ok || status == .invalidOutput ? output : 0)
            event.cachedInputTokens = random.chance(0.3) ? input / 2 : 0
            event.user = user
            event.team = team
            event.feature = feature
            event.latencyMillis = Int64(random.logNormal(median: tier.medianLatency, spread: 0.45))
            event.timeToFirstTokenMillis = event.latencyMillis.map { $0 / 4 }
            event.status = status
            event.requestID = requestID
            event.attempt = Int64(attempts.count + 1)
            event.reason = reason
            event.rule = pii ? "pii-stays-on-prem" : (tier.name == "frontier" ? "legal-and-code" : "default")
            event.policyRevision = "demo"
            if attempts.isEmpty {
                event.intent = intent
                event.complexity = complexity
                event.confidence = confidence
                event.pii = pii
                event.contextTokens = input
            }
            attempts.append(event)
        }

        var tier = Self.tiers[tierIndex]
        if tierIndex == 0, random.chance(0.01) {
            attempt(tier, Self.unpricedModel, reason: .primary, status: .ok)
            return attempts
        }
        if tier.chain.count > 1, random.chance(0.03) {
            let failure: EventStatus = [.timeout, .rateLimited, .error][Int.random(in: 0..<3, using: &random)]
            attempt(tier, tier.chain[0], reason: .primary, status: failure)
            attempt(tier, tier.chain[1], reason: .fallback, status: .ok)
        } else {
            let invalid = tierIndex < 2 && random.chance(0.01)
            attempt(tier, tier.chain[0], reason: .primary, status: invalid ? .invalidOutput : .ok)
            let lowConfidence = tierIndex < 2 && (0.45...0.55).contains(confidence)
            if invalid || lowConfidence {
                tier = Self.tiers[tierIndex + 1]
                attempt(tier, tier.chain[0], reason: .escalation, status: .ok)
            }
        }
        return attempts
    }

    /// Teams by share of users: support 35%, engineering 25%, sales 20%, marketing 10%, legal 8%, executives 2%.
    static func team(percentile: Int) -> String {
        switch percentile {
        case ..<35: return "support"
        case ..<60: return "engineering"
        case ..<80: return "sales"
        case ..<90: return "marketing"
        case ..<98: return "legal"
        default: return "executives"
        }
    }

    /// Three power users make about a tenth of requests; the rest follow a long tail.
    private mutating func pickUser() -> String {
        if random.chance(0.1) { return "power-user-\(Int.random(in: 1...3, using: &random))@example.com" }
        let u = Double.random(in: 0..<1, using: &random)
        let rank = Int(pow(Double(users), u))
        return "user-\(rank)@example.com"
    }

    private func userHash(_ user: String) -> UInt64 {
        user.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}

extension Int64 {
    func clamped(_ low: Int64, _ high: Int64) -> Int64 { Swift.min(Swift.max(self, low), high) }
}
