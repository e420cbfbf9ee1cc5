/// A rule with its lists ready for matching and its tier as an index.
final class CompiledRule: Sendable {
    let id: String
    let tier: Int
    let lock: Bool
    let intent: NameList?
    let user: NameList?
    let team: NameList?
    let feature: NameList?
    let keywords: NameList?
    let complexity: Policy.NumberRange?
    let confidence: Policy.NumberRange?
    let contextTokens: Policy.NumberRange?
    let pii: Bool?

    init(_ rule: Policy.Rule, tier: Int) {
        id = rule.id
        self.tier = tier
        lock = rule.lock
        intent = rule.when.intent.map(NameList.init)
        user = rule.when.user.map(NameList.init)
        team = rule.when.team.map(NameList.init)
        feature = rule.when.feature.map(NameList.init)
        keywords = rule.when.keywords.map { NameList($0.map { $0.lowercased() }) }
        complexity = rule.when.complexity
        confidence = rule.when.confidence
        contextTokens = rule.when.contextTokens
        pii = rule.when.pii
    }

    /// Every condition holds; a numeric condition needs the request to have that number.
    func matches(_ request: RoutingRequest) -> Bool {
        if let pii, pii != request.pii { return false }
        if let intent, !intent.contains(request.intent) { return false }
        if let team, !team.contains(request.team) { return false }
        if let user, !user.contains(request.user) { return false }
        if let feature, !feature.contains(request.feature) { return false }
        if let complexity {
            guard let value = request.complexity, complexity.contains(value) else { return false }
        }
        if let confidence {
            guard let value = request.confidence, confidence.contains(value) else { return false }
        }
        if let contextTokens {
            guard let value = request.contextTokens, contextTokens.contains(Double(value)) else { return false }
        }
        if let keywords, !request.keywords.contains(where: keywords.contains) { return false }
        return true
    }
}
