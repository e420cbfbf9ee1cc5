import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarOTLP
import BursarTesting
import Foundation
import SwiftProtobuf
import Testing

@Suite struct TracesAPITests {
    static func attribute(_ key: String, _ value: OTLPWireAnyValue.OneOf_Value) -> OTLPWireKeyValue {
        var pair = OTLPWireKeyValue()
        pair.key = key
        pair.value.value = value
        return pair
    }

    static func request(spans: [OTLPWireSpan]) throws -> [UInt8] {
        var scope = OTLPWireScopeSpans()
        scope.spans = spans
        var resource = OTLPWireResourceSpans()
        resource.resource.attributes = [attribute("service.name", .stringValue("checkout"))]
        resource.scopeSpans = [scope]
        var request = OTLPWireExportTraceServiceRequest()
        request.resourceSpans = [resource]
        return try request.serializedBytes()
    }

    static func span(_ id: UInt8, _ attributes: [OTLPWireKeyValue]) -> OTLPWireSpan {
        var span = OTLPWireSpan()
        span.traceID = Data(repeating: 0xab, count: 16)
        span.spanID = Data([0, 0, 0, 0, 0, 0, 0, id])
        span.name = "chat"
        let start = UInt64(Date().timeIntervalSince1970 * 1e9) - 5_000_000_000
        span.startTimeUnixNano = start
        span.endTimeUnixNano = start + 420_000_000
        span.attributes = attributes
        return span
    }

    @Test func protobufExportsBecomeEventsAndRejectionsArePartialSuccess() throws {
        let app = try TestApp()
        let genAI = Self.span(1, [Self.attribute("gen_ai.operation.name", .stringValue("chat")), Self.attribute("gen_ai.provider.name", .stringValue("openai")),
                                  Self.attribute("gen_ai.request.model", .stringValue("gpt-4o-mini")),
                                  Self.attribute("gen_ai.usage.input_tokens", .intValue(1000)), Self.attribute("gen_ai.usage.output_tokens", .intValue(200)),
                                  Self.attribute("gen_ai.request.user", .stringValue("dana"))])
        let plain = Self.span(2, [Self.attribute("http.route", .stringValue("/checkout"))])
        let broken = Self.span(3, [Self.attribute("gen_ai.system", .stringValue("openai")), Self.attribute("gen_ai.request.model", .stringValue("gpt-4o-mini"))])
        let response = app.send("POST", "/v1/traces", key: try app.routerKey(sources: "checkout"), contentType: "application/x-protobuf",
                                body: try Self.request(spans: [genAI, plain, broken]))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/x-protobuf")
        let answer = try OTLPWireExportTraceServiceResponse(serializedBytes: response.body)
        #expect(answer.partialSuccess.rejectedSpans == 1)
        #expect(answer.partialSuccess.errorMessage.contains("0000000000000003"))
        let rows = try #require(try app.getJSON("/v1/spend?group_by=user,source,model")["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["user"] as? String == "dana" && rows.first?["source"] as? String == "checkout")
        #expect(rows.first?["latency_ms"] as? [String: Int] != nil)

        // Sent again: answered like the first time (nothing rejected), and not counted twice.
        let again = app.send("POST", "/v1/traces", key: try app.routerKey(sources: "checkout"), contentType: "application/x-protobuf",
                             body: try Self.request(spans: [genAI]))
        #expect(again.status == 200)
        #expect(try OTLPWireExportTraceServiceResponse(serializedBytes: again.body).partialSuccess.rejectedSpans == 0)
        #expect((try app.getJSON("/v1/spend")["total"] as? [String: Any])?["requests"] as? Int == 1)
    }

    @Test func badBodiesAndEncodingsAreRefusedInTheRequestsEncoding() throws {
        let app = try TestApp()
        let garbage = app.send("POST", "/v1/traces", key: app.routerKey, contentType: "application/x-protobuf", body: [0xff, 0xff, 0xff])
        #expect(garbage.status == 400 && garbage.header("Content-Type") == "application/x-protobuf")
        #expect(try OTLPWireRPCStatus(serializedBytes: garbage.body).code == 3)
        #expect(app.send("POST", "/v1/traces", key: app.routerKey, contentType: "text/plain", body: []).status == 415)
        let json = app.send("POST", "/v1/traces", key: app.routerKey, body: Array(#"{"resourceSpans":[]}"#.utf8))
        #expect(json.status == 200 && json.bodyText == "{}")
        var headers = ["Authorization": "Bearer \(app.routerKey)", "Content-Type": "application/json", "Content-Encoding": "br"]
        #expect(app.api.respond(to: Request(method: "POST", target: "/v1/traces", headers: headers, body: [1])).wait().status == 415)
        headers["Content-Encoding"] = "gzip"
        #expect(app.api.respond(to: Request(method: "POST", target: "/v1/traces", headers: headers, body: [1, 2, 3])).wait().status == 400)
    }
}
