import BursarCore
import BursarHTTP
import BursarTesting
import Foundation
import Testing

/// A key's events and fleet reports land only in the sources it owns: by default its name,
/// or what an admin granted it. No router can pre-empt another's event ids or fleet entry.
@Suite struct SourceBindingTests {
    static let time = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 60_000)

    @Test func aRouterCannotPreemptAnotherRoutersEventIDs() throws {
        let app = try TestApp()
        let mallory = try app.database.createKey(name: "mallory", role: .router)
        let victim = try app.database.createKey(name: "checkout-router", role: .router)
        let spoofed = app.postEvents([EventJSON.event("req-42", time: Self.time, extra: [("source", "checkout-router")]),
                                      EventJSON.event("own-1", time: Self.time)], key: mallory)
        #expect(spoofed.status == 200)
        let answer = try JSONSupport.object(spoofed.body)
        #expect(answer["accepted"] as? Int == 1)
        let rejection = try #require((answer["rejected"] as? [[String: Any]])?.first)
        let error = try #require(rejection["error"] as? [String: Any])
        #expect(rejection["index"] as? Int == 0 && error["field"] as? String == "source" && error["code"] as? String == "foreign_source")
        // The real event is then stored, not dropped as a duplicate.
        let real = try JSONSupport.object(app.postEvents([EventJSON.event("req-42", time: Self.time)], key: victim).body)
        #expect(real["accepted"] as? Int == 1 && real["duplicates"] as? Int == 0)
        #expect(try app.database.eventIDs(source: "mallory") == ["own-1"])
        // Admin keys are bound the same way; an admin grants wider ones.
        let admin = app.postEvents([EventJSON.event("a-1", time: Self.time, extra: [("source", "checkout-router")])], key: app.adminKey)
        #expect(admin.status == 422 && admin.bodyText.contains("foreign_source"))
        let fleetKey = try app.routerKey(sources: "eu-router-*,checkout-router")
        #expect(try JSONSupport.object(app.postEvents([EventJSON.event("g-1", time: Self.time, extra: [("source", "eu-router-3")])],
                                                        key: fleetKey).body)["accepted"] as? Int == 1)
    }

    @Test func otlpServiceNamesAreSourcesToo() throws {
        let app = try TestApp()
        let span = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"chat","startTimeUnixNano":"\#(UInt64(Date().timeIntervalSince1970 * 1e9) - 5_000_000_000)","endTimeUnixNano":"\#(UInt64(Date().timeIntervalSince1970 * 1e9) - 4_000_000_000)","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"2"}}]}]}]}]}"#
        let refused = app.send("POST", "/v1/traces", key: app.routerKey, body: Array(span.utf8))
        #expect(refused.bodyText.contains("source"), "\(refused.bodyText)")
        #expect(try app.database.eventIDs(source: "billing").isEmpty)
        let granted = app.send("POST", "/v1/traces", key: try app.routerKey(sources: "billing"), body: Array(span.utf8))
        #expect(granted.status == 200)
        #expect(try app.database.eventIDs(source: "billing").count == 1)
    }

    @Test func aRouterCannotOverwriteAnotherRoutersFleetEntry() throws {
        let app = try TestApp()
        let owner = try app.database.createKey(name: "edge-a", role: .router)
        let other = try app.database.createKey(name: "edge-b", role: .router)
        let report = #"{"instance_id":"edge-a-1","applied_revision":"r1"}"#
        #expect(app.send("POST", "/v1/status", key: owner, body: Array(report.utf8)).status == 200)
        let overwrite = app.send("POST", "/v1/status", key: other, body: Array(#"{"instance_id":"edge-a-1","error":{"code":"x","message":"y"}}"#.utf8))
        #expect(overwrite.status == 409 && overwrite.bodyText.contains("\"field\":\"instance_id\""), "\(overwrite.bodyText)")
        let foreign = app.send("POST", "/v1/status", key: other, body: Array(#"{"instance_id":"edge-b-1","source":"edge-a"}"#.utf8))
        #expect(foreign.status == 422 && foreign.bodyText.contains("\"field\":\"source\""))
        let fleet = try app.getJSON("/v1/fleet")
        let instances = try #require(fleet["instances"] as? [[String: Any]])
        #expect(instances.count == 1 && instances.first?["source"] as? String == "edge-a" && instances.first?["error"] == nil)
        #expect(app.send("POST", "/v1/status", key: owner, body: Array(report.utf8)).status == 200, "the owner still reports")
    }
}
