import BursarCore
import HTTPToolkit
import BursarServices
import Foundation

/// `POST /v1/integrations/litellm`: what LiteLLM's `generic_api` logger posts (its
/// StandardLoggingPayload, as a JSON array, one object or NDJSON), each payload an event.
struct LiteLLMHandler: Sendable {
    let submitter: IngestSubmitter
    let publisher: BundlePublisher

    func receive(_ request: Request, _ context: APIContext) throws -> Reply {
        guard MediaTypes.litellm.contains(request.mediaType ?? "") else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send LiteLLM logs as application/json", field: "Content-Type")
        }
        let body = try request.decodedBody()
        let policy = try publisher.current().routing.policy
        let tiers = ModelTierMap(policy: policy)
        let names = Set(policy?.tiers.map(\.name) ?? [])
        // Each payload becomes its event as it is read, and only the event is kept.
        var converted = ConvertedEvents()
        let count: Int
        do {
            count = try LiteLLMPayload.forEachPayload(in: body, maximumCount: EventBatchDecoder.maximumEventsPerBatch) { payload in
                converted.append(LiteLLMPayload.event(payload, tiers: tiers, policyTiers: names))
            }
        } catch {
            throw HTTPError(error.code == "batch_too_large" ? 413 : 400, error)
        }
        try request.memory?.take(converted.bytes.count, for: "converted LiteLLM logs")
        let results = try submitter.decode(converted: converted, context: context)
        return try submitter.submit(results, nothingValid: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected), status: count == 0 ? 200 : 422)
        }, answer: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected))
        })
    }
}
