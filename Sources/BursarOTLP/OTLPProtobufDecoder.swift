import BursarCore
import Foundation
import SwiftProtobuf

/// Reads OTLP/HTTP protobuf trace exports (`ExportTraceServiceRequest`) and writes the answers.
public enum OTLPProtobufDecoder {
    /// The most one export may decode into (an estimate in bytes, see `OTLPWireShape`).
    public static let maximumCost = 128 * 1024 * 1024

    /// The spans of an export and the estimated bytes they hold; `batch_too_large` past
    /// `maximumSpans` spans or `maximumCost` bytes, measured before anything is decoded.
    public static func spans(_ bytes: [UInt8], maximumSpans: Int) throws(FieldError) -> (spans: [OTLPSpan], cost: Int) {
        var shape = OTLPWireShape(maximumSpans: maximumSpans, maximumCost: maximumCost)
        try shape.measure(bytes)
        return (try spans(bytes), shape.cost)
    }

    static func spans(_ bytes: [UInt8]) throws(FieldError) -> [OTLPSpan] {
        let request: OTLPWireExportTraceServiceRequest
        do {
            request = try OTLPWireExportTraceServiceRequest(serializedBytes: bytes)
        } catch {
            throw FieldError(code: "malformed_body", message: "the body is not a valid ExportTraceServiceRequest: \(error)")
        }
        var spans: [OTLPSpan] = []
        for resourceSpans in request.resourceSpans {
            let resource = attributes(resourceSpans.resource.attributes)
            for scopeSpans in resourceSpans.scopeSpans {
                for span in scopeSpans.spans {
                    spans.append(OTLPSpan(traceID: OTLPSpan.hex(span.traceID), spanID: OTLPSpan.hex(span.spanID), name: span.name,
                                          startNanos: span.startTimeUnixNano, endNanos: span.endTimeUnixNano,
                                          attributes: attributes(span.attributes), resource: resource,
                                          statusCode: span.status.code, statusMessage: span.status.message))
                }
            }
        }
        return spans
    }

    static func attributes(_ pairs: [OTLPWireKeyValue]) -> [String: OTLPSpan.Value] {
        var result: [String: OTLPSpan.Value] = [:]
        for pair in pairs {
            switch pair.value.value {
            case .stringValue(let text)?: result[pair.key] = .string(text)
            case .boolValue(let flag)?: result[pair.key] = .bool(flag)
            case .intValue(let number)?: result[pair.key] = .int(number)
            case .doubleValue(let number)?: result[pair.key] = .double(number)
            default: result[pair.key] = .other
            }
        }
        return result
    }

    /// `ExportTraceServiceResponse`, with `partial_success` when spans were rejected.
    public static func response(rejected: Int, message: String) -> [UInt8] {
        var response = OTLPWireExportTraceServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejected)
            response.partialSuccess.errorMessage = message
        }
        return (try? response.serializedBytes()) ?? []
    }

    /// A `google.rpc.Status` body for an error answer (code 3: invalid argument; 8: resource
    /// exhausted; 14: unavailable).
    public static func status(code: Int32, message: String) -> [UInt8] {
        var status = OTLPWireRPCStatus()
        status.code = code
        status.message = message
        return (try? status.serializedBytes()) ?? []
    }
}
