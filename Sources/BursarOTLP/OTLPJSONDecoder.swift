import BursarCore

/// Reads OTLP/JSON trace exports: lowerCamelCase names, ids as hex, 64-bit numbers as strings
/// or numbers, enums as numbers (protobuf JSON mapping with OTLP's exceptions).
public enum OTLPJSONDecoder {
    /// The most one export may decode into (an estimate in bytes, as `JSONValue.parse` counts).
    public static let maximumCost = 128 * 1024 * 1024

    /// The spans of an export and the estimated bytes its document held; `batch_too_large`
    /// past `maximumSpans` spans or `maximumCost` bytes.
    public static func spans(_ bytes: [UInt8], maximumSpans: Int) throws(FieldError) -> (spans: [OTLPSpan], cost: Int) {
        let document: (value: JSONValue, cost: Int)
        do {
            document = try JSONValue.measuredParse(bytes, maximumCost: maximumCost)
        } catch {
            if error.isTooLarge { throw FieldError(code: "batch_too_large", message: "the export \(error.message); send smaller batches") }
            throw FieldError(code: "malformed_body", message: "the body is not valid JSON: \(error.message) at byte \(error.offset)")
        }
        let spans = try spans(document.value)
        guard spans.count <= maximumSpans else {
            throw FieldError(code: "batch_too_large", message: "more than \(maximumSpans) spans in one request; send smaller batches")
        }
        return (spans, document.cost)
    }

    static func spans(_ document: JSONValue) throws(FieldError) -> [OTLPSpan] {
        guard case .object = document else { throw FieldError(code: "invalid_body", message: "an OTLP export is a JSON object") }
        var spans: [OTLPSpan] = []
        for (resourceIndex, resourceSpans) in (document[member: "resourceSpans"]?.arrayValue ?? []).enumerated() {
            let resource = try attributes(resourceSpans[member: "resource"]?[member: "attributes"], path: "resourceSpans[\(resourceIndex)].resource")
            for (scopeIndex, scopeSpans) in (resourceSpans[member: "scopeSpans"]?.arrayValue ?? []).enumerated() {
                for (spanIndex, span) in (scopeSpans[member: "spans"]?.arrayValue ?? []).enumerated() {
                    let path = "resourceSpans[\(resourceIndex)].scopeSpans[\(scopeIndex)].spans[\(spanIndex)]"
                    spans.append(OTLPSpan(
                        traceID: (span[member: "traceId"]?.stringValue ?? "").lowercased(),
                        spanID: (span[member: "spanId"]?.stringValue ?? "").lowercased(),
                        name: span[member: "name"]?.stringValue ?? "",
                        startNanos: try nanos(span[member: "startTimeUnixNano"], path: path + ".startTimeUnixNano"),
                        endNanos: try nanos(span[member: "endTimeUnixNano"], path: path + ".endTimeUnixNano"),
                        attributes: try attributes(span[member: "attributes"], path: path),
                        resource: resource,
                        statusCode: Int32(clamping: span[member: "status"]?[member: "code"]?.integerValue ?? 0),
                        statusMessage: span[member: "status"]?[member: "message"]?.stringValue ?? ""))
                }
            }
        }
        return spans
    }

    /// A fixed64 as OTLP/JSON writes it: a decimal string or a number.
    static func nanos(_ value: JSONValue?, path: String) throws(FieldError) -> UInt64 {
        switch value {
        case nil, .null?: return 0
        case .string(let text)?:
            guard let number = UInt64(text) else { throw .invalid(path, "must be a whole number of nanoseconds") }
            return number
        case .integer(let number)? where number >= 0: return UInt64(number)
        case .number(let number)? where number >= 0 && number < 1.8e19: return UInt64(number)
        default: throw .invalid(path, "must be a whole number of nanoseconds")
        }
    }

    static func attributes(_ value: JSONValue?, path: String) throws(FieldError) -> [String: OTLPSpan.Value] {
        var result: [String: OTLPSpan.Value] = [:]
        for pair in value?.arrayValue ?? [] {
            guard let key = pair[member: "key"]?.stringValue else { throw .invalid(path + ".attributes", "each attribute needs a key") }
            result[key] = Self.value(pair[member: "value"])
        }
        return result
    }

    static func value(_ value: JSONValue?) -> OTLPSpan.Value {
        guard let value else { return .other }
        if let text = value[member: "stringValue"]?.stringValue { return .string(text) }
        if let flag = value[member: "boolValue"]?.boolValue { return .bool(flag) }
        if let number = value[member: "intValue"] {
            if let integer = number.integerValue { return .int(integer) }
            if let text = number.stringValue, let integer = Int64(text) { return .int(integer) }
        }
        if let number = value[member: "doubleValue"]?.numberValue { return .double(number) }
        return .other
    }
}
