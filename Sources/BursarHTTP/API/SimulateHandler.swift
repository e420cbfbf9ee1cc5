import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage

/// `POST /v1/policies/simulate`: a candidate policy (YAML or JSON body, or `?revision=` of a
/// stored one) replayed over past traffic beside the active policy.
struct SimulateHandler: Sendable {
    static let maximumDays = 366

    let store: any ReplayReader
    let prices: PriceBook
    let publisher: BundlePublisher
    let policies: PoliciesHandler
    /// How many days raw events are kept (serve's --retain-raw-days); nil: for ever.
    let retentionDays: Int?
    let clock: WallClock

    func simulate(_ request: Request, _ context: APIContext) throws -> Reply {
        let now = clock()
        var (from, to) = try range(request, now: now)
        // Older raw events are deleted (their spend stays in the rollups): the replay starts at
        // the first whole hour surely kept, so that what it says of the range adds up.
        let keptFrom = retentionDays.map { UTC.hourStart(now - Int64($0) * UTC.millisPerDay) + UTC.millisPerHour }
        if let keptFrom, from < keptFrom {
            guard keptFrom < to else {
                throw HTTPError.badRequest("raw events before \(Timestamp.format(keptFrom)) are no longer kept (--retain-raw-days \(retentionDays ?? 0)): "
                                           + "choose a range after it", field: "from")
            }
            from = keptFrom
        }
        let candidatePolicy: Policy
        let candidateRevision: String
        if let revision = request.query["revision"] {
            let version = try policies.find(revision)
            candidatePolicy = version.policy
            candidateRevision = version.revision
        } else {
            switch try PoliciesHandler.submission(request, catalog: prices.current.catalog) {
            case .invalid(let response): return .response(response)
            case .valid(let policy, _, _):
                candidatePolicy = policy
                candidateRevision = "candidate"
            }
        }
        let published = try publisher.current()
        guard let active = published.engine else {
            throw HTTPError(409, code: "no_active_policy", message: "no policy is active to compare with; activate one first")
        }
        let routing = published.routing
        let candidate = PolicyEngine(policy: candidatePolicy, revision: candidateRevision, overrides: routing.overrides, budgets: routing.budgets)
        var simulation = PolicySimulation(active: active, candidate: candidate, catalog: prices.current.catalog, now: now)
        try store.forEachFirstAttempt(from: from, to: to) { try simulation.add($0, recorded: $1) }
        let answer = try simulation.json(from: from, to: to)
        return .response(.json(.object(answer.objectMembers + [("raw_events_kept_from", keptFrom.map { .string(Timestamp.format($0)) } ?? .null)])))
    }

    /// `from`/`to` (RFC 3339 or dates), else the last `days` (default 30) up to now.
    private func range(_ request: Request, now: Int64) throws -> (Int64, Int64) {
        if let unknown = request.query.keys.sorted().first(where: { !["from", "to", "days", "revision"].contains($0) }) {
            throw HTTPError.badRequest("unknown parameter '\(unknown)'; this endpoint takes from, to, days and revision", field: unknown)
        }
        func time(_ name: String) throws -> Int64? {
            guard let text = request.query[name] else { return nil }
            guard let millis = Timestamp.parse(text, allowDate: true) else {
                throw HTTPError.badRequest("\(name) must be an RFC 3339 time or a date", field: name)
            }
            return millis
        }
        var days = 30
        if let text = request.query["days"] {
            guard let value = Int(text), (1...Self.maximumDays).contains(value) else {
                throw HTTPError.badRequest("days must be a whole number from 1 to \(Self.maximumDays)", field: "days")
            }
            days = value
        }
        let to = try time("to") ?? now
        let from = try time("from") ?? to - Int64(days) * UTC.millisPerDay
        guard from < to else { throw HTTPError.badRequest("to must be after from", field: "to") }
        return (from, to)
    }
}
