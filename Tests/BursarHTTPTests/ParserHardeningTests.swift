import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// Inputs that once trapped the server: each is now a 4xx naming what is wrong.
@Suite struct ParserHardeningTests {
    @Test func anEmptyMediaTypeIsRefusedNotTrapped() throws {
        let app = try TestApp()
        for type in [";", "", " ; charset=utf-8", ";;;"] {
            let response = app.send("POST", "/v1/events", key: app.routerKey, contentType: type,
                                    body: JSONValue.array([EventJSON.event("m")]).serialized())
            #expect(response.status == 415 && response.bodyText.contains("\"field\":\"Content-Type\""), "'\(type)': \(response.bodyText)")
        }
        #expect(Request.mediaType(of: ";") == "")
        #expect(Request.mediaType(of: "Application/JSON; charset=utf-8") == "application/json")
    }

    @Test func liteLLMTimesOutOfAnyRangeAreNamed() throws {
        let app = try TestApp()
        let now = Date().timeIntervalSince1970 - 30
        let cases: [(String, String, String)] = [
            ("1e300", "1e300", "time"), ("-1e300", "-1e300", "time"), ("-5", "-5", "time"),
            ("9.3e15", "9.3e15", "time"), ("\(now)", "1e300", "latency_ms"), ("\(now)", "\(now + 1e9)", "latency_ms"),
        ]
        for (index, (start, end, field)) in cases.enumerated() {
            let payload = #"[{"id":"t\#(index)","status":"success","custom_llm_provider":"openai","model":"gpt-4o-mini","startTime":\#(start),"endTime":\#(end),"prompt_tokens":10,"completion_tokens":2}]"#
            let response = app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(payload.utf8))
            #expect(response.status == 422 && response.bodyText.contains("\"field\":\"\(field)\""), "\(start) \(end): \(response.bodyText)")
        }
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
    }

    @Test func liteLLMCountsThatHaveNoNextNumberAndHugeBatchesAreRefused() throws {
        let app = try TestApp()
        let now = Date().timeIntervalSince1970 - 30
        let payload = #"[{"id":"f1","startTime":\#(now),"endTime":\#(now + 1),"custom_llm_provider":"openai","model":"gpt-4o","prompt_tokens":10,"completion_tokens":5,"hidden_params":{"additional_headers":{"x-litellm-attempted-fallbacks":9223372036854775807}}}]"#
        let response = app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(payload.utf8))
        #expect(response.status == 422 && response.bodyText.contains("\"field\":\"attempt\""), "\(response.bodyText)")
        let huge = "[" + Array(repeating: "{}", count: EventBatchDecoder.maximumEventsPerBatch + 1).joined(separator: ",") + "]"
        let tooMany = app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(huge.utf8))
        #expect(tooMany.status == 413 && tooMany.bodyText.contains("batch_too_large"), "\(tooMany.bodyText.prefix(200))")
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
    }

    @Test func whatAJSONBodyDecodesIntoIsBoundedOnEveryRoute() throws {
        let app = try TestApp()
        // 600,000 values in 1.2 MB: about 37 MiB decoded, over the 32 MiB a document may take.
        let many = Array(("[" + Array(repeating: "0", count: 600_000).joined(separator: ",") + "]").utf8)
        for (method, path, key) in [("POST", "/v1/decide", app.routerKey), ("POST", "/v1/status", app.routerKey),
                                    ("POST", "/v1/keys", app.adminKey), ("PUT", "/v1/budgets/b", app.adminKey),
                                    ("PUT", "/v1/overrides/o", app.adminKey)] {
            let response = app.send(method, path, key: key, body: many)
            #expect(response.status == 413 && response.bodyText.contains("decodes to more than 32 MiB"), "\(path): \(response.bodyText.prefix(200))")
        }
        let prices = Array(("{\"prices\":[" + Array(repeating: "{}", count: PriceList.maximumPrices + 1).joined(separator: ",") + "]}").utf8)
        let catalog = app.send("PUT", "/v1/prices", key: app.adminKey, body: prices)
        #expect(catalog.status == 413 && catalog.bodyText.contains("more than 10000 prices"), "\(catalog.bodyText.prefix(200))")
        let document = try JSONValue.measuredParse(Array(#"{"a":["xyz",1]}"#.utf8))
        #expect(document.cost == 4 * JSONValue.costPerValue + 1 + 3, "four values, a one-byte name, a three-byte string")
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
    }

    @Test func liteLLMPayloadsAreReadOneAtATimeAndCountedAsTheyAreRead() throws {
        var seen = 0
        let body = Array(("[" + Array(repeating: "{}", count: 1_000).joined(separator: ",") + "]").utf8)
        #expect(throws: FieldError.self) {
            try LiteLLMPayload.forEachPayload(in: body, maximumCount: 10) { _ in seen += 1 }
        }
        #expect(seen == 10, "reading stopped at the eleventh payload")
        let ndjson = Array("{\"id\":1}\n\n{\"id\":2}\r\n".utf8)
        #expect(try LiteLLMPayload.forEachPayload(in: ndjson, maximumCount: 10) { _ in } == 2)
        let pretty = Array("{\n  \"id\": 1\n}\n".utf8)
        #expect(try LiteLLMPayload.forEachPayload(in: pretty, maximumCount: 10) { _ in } == 1)
        let deep = Array(("[{\"a\":\"" + String(repeating: "x", count: 17 * 1024 * 1024) + "\"}]").utf8)
        let tooLarge = #expect(throws: FieldError.self) { try LiteLLMPayload.forEachPayload(in: deep, maximumCount: 10) { _ in } }
        #expect(tooLarge?.code == "batch_too_large")
    }

    @Test func anUnexpectedErrorIsLoggedNotShown() throws {
        struct Secret: Error, CustomStringConvertible { var description: String { "disk /dev/sda1 at 97%, table events" } }
        var router = Router(gatekeeper: NoCredentials(), logger: .forTests)
        router.add("GET", "/boom", permissions: []) { _, _ in throw Secret() }
        let response = router.respond(to: Request(method: "GET", target: "/boom")).wait()
        #expect(response.status == 500)
        #expect(!response.bodyText.contains("sda1") && !response.bodyText.contains("events"))
        let id = try #require(response.header("X-Request-Id"))
        #expect(response.bodyText.contains(id), "the answer names the request id the log line has")
    }

    @Test func onlyKeysFoundAreRemembered() throws {
        let app = try TestApp()
        for index in 0..<500 {
            _ = app.send("GET", "/v1/bundle", key: "bsr_made_up_\(index)")
        }
        #expect(app.api.authenticator.cachedKeys == 0)
        #expect(app.send("GET", "/v1/bundle", key: app.routerKey).status == 200)
        #expect(app.api.authenticator.cachedKeys == 1)
    }
}
