import BursarCore
import BursarStore
import Foundation

/// `POST /v1/events`: decode, validate per event, price, queue for the group commit, and
/// answer only once the events are durable.
struct EventsHandler: Sendable {
    static let formats: [String: EventBatchDecoder.Format] = [
        "application/json": .json,
        "application/x-ndjson": .ndjson,
        "application/ndjson": .ndjson,
        "application/cloudevents+json": .cloudEvent,
        "application/cloudevents-batch+json": .cloudEventBatch,
    ]

    let writer: IngestWriter
    let prices: PriceBook
    let metrics: APIMetrics

    func handle(_ request: Request, _ context: RequestContext) throws -> Reply {
        guard let mediaType = request.mediaType, let format = Self.formats[mediaType] else {
            throw HTTPError(415, code: "unsupported_media_type",
                            message: "send events as \(Self.formats.keys.sorted().joined(separator: ", "))",
                            field: "Content-Type")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let decoder = EventBatchDecoder(defaultSource: context.key?.name ?? "unknown", window: EventBatchDecoder.window(around: now))
        let results: [Result<UsageEvent, FieldError>]
        do {
            results = try request.body.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in try decoder.decode(bytes, format: format) }
        } catch {
            throw HTTPError(400, code: "malformed_body", message: "the body is not valid \(mediaType): \(error.message) at byte \(error.offset)")
        }
        let costing = prices.current
        var accepted: [PricedEvent] = []
        accepted.reserveCapacity(results.count)
        var rejected: [JSONValue] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let event):
                accepted.append(PricedEvent(event: event, cost: costing.cost(of: event)))
            case .failure(let error):
                rejected.append(.object([
                    ("index", .integer(Int64(index))),
                    ("error", HTTPError.errorBody(code: error.code, message: error.message, field: error.field)[member: "error"] ?? .null),
                ]))
            }
        }
        APIMetrics.add(metrics.rejectedEvents, rejected.count)
        if accepted.isEmpty {
            return .response(.json(Self.answer(accepted: 0, duplicates: 0, rejected: rejected), status: 422))
        }
        let pending = PendingResponse()
        let rejections = rejected
        let metrics = self.metrics
        do {
            try writer.submit(accepted) { result in
                switch result {
                case .success(let outcome):
                    APIMetrics.add(metrics.acceptedEvents, outcome.accepted)
                    APIMetrics.add(metrics.duplicateEvents, outcome.duplicates)
                    pending.complete(.json(Self.answer(accepted: outcome.accepted, duplicates: outcome.duplicates, rejected: rejections)))
                case .failure:
                    APIMetrics.add(metrics.refusedBatches)
                    pending.complete(HTTPError.unavailable("the events could not be stored; nothing from this batch was kept, send it again", retryAfter: 2).response)
                }
            }
        } catch .overloaded {
            APIMetrics.add(metrics.refusedBatches)
            throw HTTPError.unavailable("the ingest queue is full; retry this batch shortly", retryAfter: 1)
        } catch .closed {
            APIMetrics.add(metrics.refusedBatches)
            throw HTTPError.unavailable("Bursar is shutting down; retry this batch shortly", retryAfter: 2)
        }
        return .pending(pending)
    }

    static func answer(accepted: Int, duplicates: Int, rejected: [JSONValue]) -> JSONValue {
        .object([
            ("accepted", .integer(Int64(accepted))),
            ("duplicates", .integer(Int64(duplicates))),
            ("rejected", .array(rejected)),
        ])
    }
}
