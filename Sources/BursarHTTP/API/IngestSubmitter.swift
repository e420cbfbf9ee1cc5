import BursarCore
import HTTPToolkit
import BursarServices
import BursarStorage
import Foundation

/// Ingest in HTTP's words, for every format: the service prices and queues the decoded events;
/// the answer (in the format's own words) is sent only once they are durable, or 503 with
/// Retry-After when the writer cannot take them.
struct IngestSubmitter: Sendable {
    typealias Answer = @Sendable (_ accepted: Int, _ duplicates: Int, _ rejected: [(index: Int, error: FieldError)]) -> Response

    let service: IngestService

    /// `answer` is called with the counts; when nothing is valid it is called at once
    /// (`nothingValid` lets a format pick its status for that, e.g. 422).
    func submit(_ results: [Result<UsageEvent, FieldError>], nothingValid: @escaping Answer, answer: @escaping Answer) throws -> Reply {
        let priced = service.price(results)
        let (batch, rejected) = (priced.batch, priced.rejected)
        if batch.isEmpty { return .response(nothingValid(0, 0, rejected)) }
        let pending = PendingResponse()
        do {
            try service.store(batch) { stored in
                switch stored {
                case .stored(let outcome):
                    pending.complete(answer(outcome.accepted, outcome.duplicates, priced.rejections(adding: outcome.refused)))
                case .failed:
                    pending.complete(HTTPError.unavailable("the events could not be stored; nothing from this batch was kept, send it again", retryAfter: 2).response)
                }
            }
        } catch .overloaded {
            throw HTTPError.unavailable("the ingest queue is full; retry this batch shortly", retryAfter: 1)
        } catch .closed {
            throw HTTPError.unavailable("Bursar is shutting down; retry this batch shortly", retryAfter: 2)
        }
        return .pending(pending)
    }

    /// Events another format (LiteLLM logs, OTLP spans) was converted to, read and checked
    /// like any batch of the sender's: 413 past the batch limit.
    func decode(converted batch: ConvertedEvents, context: APIContext) throws -> [Result<UsageEvent, FieldError>] {
        guard batch.count <= EventBatchDecoder.maximumEventsPerBatch else {
            throw HTTPError(413, code: "batch_too_large", message: "more than \(EventBatchDecoder.maximumEventsPerBatch) events in one request; send smaller batches")
        }
        let bytes = batch.array
        let decoder = EventBatchDecoder(defaultSource: context.key?.name ?? "unknown", sources: context.key?.sources,
                                        window: EventBatchDecoder.window(around: service.clock()))
        do {
            return try bytes.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in try decoder.decode(bytes, format: .json) }
        } catch {
            throw HTTPError(400, code: "malformed_body", message: "the converted events are not readable: \(error.message)")
        }
    }

    /// Bursar's own answer: `{"accepted","duplicates","rejected":[{"index","error"}]}`.
    static func answer(accepted: Int, duplicates: Int, rejected: [(index: Int, error: FieldError)]) -> JSONValue {
        .object([
            ("accepted", .integer(Int64(accepted))),
            ("duplicates", .integer(Int64(duplicates))),
            ("rejected", .array(rejected.map { rejection in
                .object([
                    ("index", .integer(Int64(rejection.index))),
                    ("error", HTTPError.errorBody(code: rejection.error.code, message: rejection.error.message, field: rejection.error.field)[member: "error"] ?? .null),
                ])
            })),
        ])
    }
}
