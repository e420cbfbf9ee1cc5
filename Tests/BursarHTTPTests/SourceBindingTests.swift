import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
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

    @Test func sourcesCompareByteForByteAsTheyAreStored() throws {
        let app = try TestApp()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8), "Swift calls them equal; the database does not")
        let first = try app.database.createKey(name: composed, role: .router)
        let second = try app.database.createKey(name: decomposed, role: .router)
        // The composed key cannot write into the decomposed key's source (and so cannot take its ids).
        let spoofed = try JSONSupport.object(app.postEvents([EventJSON.event("req-1", time: Self.time, extra: [("source", .string(decomposed))])],
                                                            key: first).body)
        #expect(spoofed["accepted"] as? Int == 0, "\(spoofed)")
        let own = try JSONSupport.object(app.postEvents([EventJSON.event("req-1", time: Self.time)], key: second).body)
        #expect(own["accepted"] as? Int == 1 && own["duplicates"] as? Int == 0, "\(own)")
        #expect(!SourceGrant(names: [composed], prefixes: []).allows(decomposed))
        #expect(!SourceGrant(names: [], prefixes: ["caf\u{E9}-"]).allows("cafe\u{301}-1"))
        #expect(SourceGrant(names: [], prefixes: ["caf\u{E9}-"]).allows("caf\u{E9}-1"))
    }

    @Test func otlpServiceNamesAreSourcesToo() throws {
        let app = try TestApp()
        let span = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"chat","startTimeUnixNano":"\#(UInt64(Date().timeIntervalSince1970 * 1e9) - 5_000_000_000)","endTimeUnixNano":"\#(UInt64(Date().timeIntervalSince1970 * 1e9) - 4_000_000_000)","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"2"}}]}]}]}]}"#
        let refused = app.send("POST", "/v1/traces", key: app.routerKey, body: Array(span.utf8))
        let partial = try JSONSupport.object(refused.body)["partialSuccess"] as? [String: Any]
        #expect(refused.status == 200 && partial?["rejectedSpans"] as? Int == 1, "\(refused.bodyText)")
        #expect((partial?["errorMessage"] as? String)?.contains("source 'billing' is not one this key may write") == true, "\(refused.bodyText)")
        #expect(try app.database.eventIDs(source: "billing").isEmpty)
        let granted = app.send("POST", "/v1/traces", key: try app.routerKey(sources: "billing"), body: Array(span.utf8))
        #expect(granted.status == 200)
        #expect(try app.database.eventIDs(source: "billing").count == 1)
    }

    @Test func aRouterCannotOverwriteOrTakeAnotherRoutersFleetEntry() throws {
        let app = try TestApp()
        let owner = try app.database.createKey(name: "edge-a", role: .router)
        let other = try app.database.createKey(name: "edge-b", role: .router)
        let report = #"{"instance_id":"edge-1","applied_revision":"r1"}"#
        // The other router takes the id first: it gets an entry of its own source, not the owner's.
        #expect(app.send("POST", "/v1/status", key: other, body: Array(#"{"instance_id":"edge-1","error":{"code":"x","message":"y"}}"#.utf8)).status == 200)
        #expect(app.send("POST", "/v1/status", key: owner, body: Array(report.utf8)).status == 200)
        #expect(app.send("POST", "/v1/status", key: other, body: Array(#"{"instance_id":"edge-1","error":{"code":"x","message":"z"}}"#.utf8)).status == 200)
        let foreign = app.send("POST", "/v1/status", key: other, body: Array(#"{"instance_id":"edge-9","source":"edge-a"}"#.utf8))
        #expect(foreign.status == 422 && foreign.bodyText.contains("\"field\":\"source\""))
        let instances = try #require(try app.getJSON("/v1/fleet")["instances"] as? [[String: Any]])
        let owned = try #require(instances.first { $0["source"] as? String == "edge-a" })
        #expect(instances.count == 2 && owned["instance_id"] as? String == "edge-1" && owned["applied_revision"] as? String == "r1" && owned["error"] == nil,
                "\(instances)")
    }
}
