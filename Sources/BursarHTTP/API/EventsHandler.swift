import BursarCore
import HTTPToolkit
import BursarStorage
import Foundation

/// `POST /v1/events`: decode, validate per event, price, queue for the group commit, and
/// answer only once the events are durable.
struct EventsHandler: Sendable {
    /// One per type of `MediaTypes.events`.
    static let formats: [String: EventBatchDecoder.Format] = [
        "application/json": .json,
        "application/x-ndjson": .ndjson,
        "application/ndjson": .ndjson,
        "application/cloudevents+json": .cloudEvent,
        "application/cloudevents-batch+json": .cloudEventBatch,
    ]

    let submitter: IngestSubmitter

    func handle(_ request: Request, _ context: APIContext) throws -> Reply {
        guard let mediaType = request.mediaType, let format = Self.formats[mediaType] else {
            throw HTTPError(415, code: "unsupported_media_type",
                            message: "send events as \(Self.formats.keys.sorted().joined(separator: ", "))",
                            field: "Content-Type")
        }
        let body = try request.decodedBody()
        let now = submitter.service.clock()
        let decoder = EventBatchDecoder(defaultSource: context.key?.name ?? "unknown", sources: context.key?.sources, window: EventBatchDecoder.window(around: now))
        let results: [Result<UsageEvent, FieldError>]
        do {
            results = try body.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in try decoder.decode(bytes, format: format) }
        } catch {
            throw HTTPError(400, code: "malformed_body", message: "the body is not valid \(mediaType): \(error.message) at byte \(error.offset)")
        }
        return try submitter.submit(results, nothingValid: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected), status: 422)
        }, answer: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected))
        })
    }
}
