import BursarCore
/// The shadow-sampling hash of a request id and a model: `hash53` is the 53-bit integer the
/// fraction is made of (fraction = hash53 / 2^53), so that both languages compare it exactly.
struct SampleCase {
    let requestID: String
    let model: ModelKey
    let expected: JSONValue

    init(_ item: JSONValue) throws(FieldError) {
        guard let requestID = item[member: "request_id"]?.stringValue else { throw .missing("samples[].request_id") }
        guard let model = item[member: "model"] else { throw .missing("samples[].model") }
        self.requestID = requestID
        self.model = try PolicyJSONReader.model(model, path: "samples[].model")
        expected = item
    }

    func run() throws(FieldError) -> ConformanceResult {
        let hash = ShadowSampler.hash53(requestID: requestID, model: model)
        let actual: JSONValue = .object([("request_id", .string(requestID)), ("model", DecisionCase.model(model)), ("hash53", .integer(Int64(hash)))])
        return ConformanceResult(name: "sample \(requestID)", expected: expected, actual: actual)
    }
}
