/// An override whose tier exists, with its match read out of the dictionary.
final class CompiledOverride: Sendable {
    let source: Override
    let tier: Int
    let ladderPosition: Int?
    let who: Requester
    /// Matches on something no request carries: never applies.
    let unmatchable: Bool

    init(_ override: Override, tier: Int, ladder: Int?) {
        source = override
        self.tier = tier
        ladderPosition = ladder
        who = Requester(user: override.match["user"], team: override.match["team"], feature: override.match["feature"])
        unmatchable = override.match.keys.contains { !Override.matchable.contains($0) }
    }

    func matches(_ request: RoutingRequest) -> Bool {
        !unmatchable && who.matches(request)
    }
}

/// The user, team and feature an override or budget names (nil: any).
struct Requester: Sendable {
    let user: String?
    let team: String?
    let feature: String?

    func matches(_ request: RoutingRequest) -> Bool {
        if let user, user != request.user { return false }
        if let team, team != request.team { return false }
        if let feature, feature != request.feature { return false }
        return true
    }
}
