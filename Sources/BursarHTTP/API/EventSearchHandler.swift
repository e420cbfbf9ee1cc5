import BursarCore
import HTTPToolkit
import BursarStorage

/// `GET /v1/events`: the raw events still retained, newest arrival first, found by request
/// id and any spend dimension, each with how it was priced (the request explorer).
struct EventSearchHandler: Sendable {
    static let parameters = ["from", "to", "request_id", "before", "limit"] + RollupDimension.allCases.map(\.rawValue)

    let store: any EventExplorer
    let clock: WallClock

    func search(_ request: Request, _ context: APIContext) throws -> Reply {
        if let unknown = request.query.keys.sorted().first(where: { !Self.parameters.contains($0) }) {
            throw HTTPError.badRequest("unknown parameter '\(unknown)'; this endpoint takes \(Self.parameters.joined(separator: ", "))", field: unknown)
        }
        let search: EventSearch
        do {
            search = try EventSearch.parse(request.query, now: clock())
        } catch {
            throw HTTPError(400, error)
        }
        let page = try store.searchEvents(search)
        return .response(.json(.object([
            ("from", .string(Timestamp.format(search.from))),
            ("to", .string(Timestamp.format(search.to))),
            ("events", .array(page.events.map(Self.json))),
            ("next", page.next.map { .string(String($0)) } ?? .null),
            ("examined", .integer(page.examined)),
        ])))
    }

    static func json(_ stored: StoredEvent) -> JSONValue {
        let event = stored.event
        return .object([
            ("seq", .integer(stored.seq)),
            ("id", .string(event.id)),
            ("source", .string(event.source)),
            ("time", .string(Timestamp.format(event.time))),
            ("received_at", .string(Timestamp.format(stored.receivedAt))),
            ("request_id", .string(event.requestID)),
            ("attempt", .integer(event.attempt)),
            ("reason", .string(event.reason.rawValue)),
            ("status", .string(event.status.rawValue)),
            ("rule", .string(event.rule)),
            ("policy_revision", .string(event.policyRevision)),
            ("provider", .string(event.provider)),
            ("model", .string(event.model)),
            ("tier", .string(event.tier)),
            ("user", .string(event.user)),
            ("team", .string(event.team)),
            ("feature", .string(event.feature)),
            ("input_tokens", .integer(event.inputTokens)),
            ("cached_input_tokens", .integer(event.cachedInputTokens)),
            ("output_tokens", .integer(event.outputTokens)),
            ("reasoning_tokens", .integer(event.reasoningTokens)),
            ("cost_usd", .money(stored.cost.cost)),
            ("baseline_cost_usd", .money(stored.cost.baseline)),
            ("reported_cost_usd", event.reportedCost.map(JSONValue.money) ?? .null),
            ("cost_basis", .string(basis(stored.cost.basis))),
            ("price", stored.price.map { price in
                .object([
                    ("catalog_version", .optional(stored.priceCatalogVersion)),
                    ("provider", .string(price.provider)),
                    ("model", .string(price.model)),
                    ("effective_from", .string(Timestamp.format(price.effectiveFrom))),
                    ("unit", "USD per 1M tokens"),
                    ("input", .string(price.inputPerMillion.shortDecimalString)),
                    ("cached_input", .string(price.cachedInputPerMillion.shortDecimalString)),
                    ("output", .string(price.outputPerMillion.shortDecimalString)),
                    ("reasoning", .string(price.reasoningPerMillion.shortDecimalString)),
                ])
            } ?? .null),
            ("latency_ms", .optional(event.latencyMillis)),
            ("ttft_ms", .optional(event.timeToFirstTokenMillis)),
            ("intent", .text(orNull: event.intent)),
            ("complexity", event.complexity.map(JSONValue.number) ?? .null),
            ("confidence", event.confidence.map(JSONValue.number) ?? .null),
            ("pii", event.pii.map(JSONValue.bool) ?? .null),
            ("context_tokens", .optional(event.contextTokens)),
        ])
    }

    private static func basis(_ basis: EventCost.Basis) -> String {
        switch basis {
        case .catalog: "catalog"
        case .reported: "reported"
        case .unpriced: "unpriced"
        }
    }
}
