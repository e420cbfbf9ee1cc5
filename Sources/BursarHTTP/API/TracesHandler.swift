import BursarCore
import HTTPToolkit
import BursarServices
import BursarOTLP
import Foundation

/// `POST /v1/traces` (OTLP/HTTP, protobuf or JSON, gzip or not): every span with GenAI
/// semantic-convention attributes becomes an event; other spans are ignored. The answer is an
/// `ExportTraceServiceResponse` in the request's encoding, with `partial_success` naming how
/// many GenAI spans were rejected and why.
struct TracesHandler: Sendable {
    let submitter: IngestSubmitter
    let publisher: BundlePublisher

    func export(_ request: Request, _ context: APIContext) throws -> Reply {
        let protobuf = request.mediaType == "application/x-protobuf"
        do {
            return try receive(request, context, protobuf: protobuf)
        } catch let error as HTTPError where protobuf {
            // OTLP/HTTP: error bodies of protobuf exports are google.rpc.Status messages.
            let code: Int32 = error.status == 503 ? 14 : error.status == 413 ? 8 : 3
            return .response(Response(status: error.status, headers: error.headers + [("Content-Type", "application/x-protobuf")],
                                      body: OTLPProtobufDecoder.status(code: code, message: error.message)))
        }
    }

    private func receive(_ request: Request, _ context: APIContext, protobuf: Bool) throws -> Reply {
        guard protobuf || request.mediaType == "application/json" else {
            throw HTTPError(415, code: "unsupported_media_type", message: "send OTLP traces as application/x-protobuf or application/json",
                            field: "Content-Type")
        }
        let body = try request.decodedBody()
        let spans: [OTLPSpan]
        do {
            let limit = EventBatchDecoder.maximumEventsPerBatch
            let decoded = protobuf ? try OTLPProtobufDecoder.spans(body, maximumSpans: limit) : try OTLPJSONDecoder.spans(body, maximumSpans: limit)
            try request.memory?.take(decoded.cost, for: "OTLP exports")
            spans = decoded.spans
        } catch let error as FieldError {
            throw HTTPError(error.code == "batch_too_large" ? 413 : 400, error)
        }
        let mapper = GenAISpanMapper(tiers: ModelTierMap(policy: try publisher.current().routing.policy))
        let genAI = spans.filter(GenAISpanMapper.isGenAI)
        let answer: IngestSubmitter.Answer = { _, _, rejected in Self.answer(rejected, of: genAI, protobuf: protobuf) }
        guard !genAI.isEmpty else { return .response(answer(0, 0, [])) }
        var converted = ConvertedEvents()
        for span in genAI { converted.append(mapper.event(span)) }
        let results = try submitter.decode(converted: converted, context: context)
        return try submitter.submit(results, nothingValid: answer, answer: answer)
    }

    /// The export answer; `partial_success` when any GenAI span was rejected.
    static func answer(_ rejected: [(index: Int, error: FieldError)], of spans: [OTLPSpan], protobuf: Bool) -> Response {
        let message = rejected.prefix(5).map { rejection in
            "span \(spans[rejection.index].spanID) (\(spans[rejection.index].name)): \(rejection.error.message)"
        }.joined(separator: "; ") + (rejected.count > 5 ? "; and \(rejected.count - 5) more" : "")
        if protobuf {
            return Response(status: 200, headers: [("Content-Type", "application/x-protobuf")],
                            body: OTLPProtobufDecoder.response(rejected: rejected.count, message: message))
        }
        guard !rejected.isEmpty else { return .json(.object([])) }
        return .json(.object([("partialSuccess", .object([("rejectedSpans", .integer(Int64(rejected.count))), ("errorMessage", .string(message))]))]))
    }
}
