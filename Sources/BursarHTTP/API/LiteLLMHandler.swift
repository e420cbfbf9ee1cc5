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
        let payloads: [JSONValue]
        do {
            payloads = try LiteLLMPayload.payloads(body)
        } catch {
            throw HTTPError(400, error)
        }
        let policy = try publisher.current().routing.policy
        let tiers = ModelTierMap(policy: policy)
        let names = Set(policy?.tiers.map(\.name) ?? [])
        let results = try submitter.decode(converted: payloads.map { LiteLLMPayload.event($0, tiers: tiers, policyTiers: names) },
                                           context: context)
        return try submitter.submit(results, nothingValid: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected), status: payloads.isEmpty ? 200 : 422)
        }, answer: { accepted, duplicates, rejected in
            .json(IngestSubmitter.answer(accepted: accepted, duplicates: duplicates, rejected: rejected))
        })
    }
}
