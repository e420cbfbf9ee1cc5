import BursarClient
import BursarHTTPClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// The ingest API over a real socket, served by libmicrohttpd.
@Suite struct SocketTests {
    func post(_ connection: HTTPConnection, _ body: [UInt8], key: String, type: String = "application/json") throws -> HTTPConnection.Reply {
        try connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(key)", "Content-Type": type], body: body)
    }

    @Test func batchesDuplicatesAndPartialRejects() throws {
        let live = try LiveServer(app: TestApp())
        let connection = live.connection()
        let key = live.app.routerKey
        let batch = JSONValue.array((1...100).map { EventJSON.event("s\($0)", extra: [("user", .string("u\($0 % 7)"))]) }).serialized()
        let first = try JSONSupport.object(try post(connection, batch, key: key).body)
        #expect(first["accepted"] as? Int == 100)
        let summary = {
            let text = try connection.send("GET", "/v1/spend/summary?from=2026-11-01&to=2026-12-01",
                                           headers: ["Authorization": "Bearer \(live.app.viewerKey)"]).text
            let object = try JSONSupport.object(text)
            return "\(object["requests"] ?? "") \(object["cost_usd"] ?? "") \(object["baseline_cost_usd"] ?? "")"
        }
        let before = try summary()
        #expect(before.hasPrefix("100 "))
        let again = try JSONSupport.object(try post(connection, batch, key: key).body)
        #expect(again["accepted"] as? Int == 0 && again["duplicates"] as? Int == 100)
        #expect(try summary() == before)

        let mixed = JSONValue.array([EventJSON.event("p1"), EventJSON.event("p2", extra: [("tier", .integer(3))])]).serialized()
        let partial = try post(connection, mixed, key: key)
        #expect(partial.status == 200)
        let rejected = try JSONSupport.object(partial.body)["rejected"] as? [[String: Any]]
        #expect(rejected?.first?["index"] as? Int == 1)
    }

    @Test func everyErrorStatusOverTheWire() throws {
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 64 * 1024)
        let connection = live.connection()
        let good = JSONValue.array([EventJSON.event("w1")]).serialized()
        var reply = try connection.send("POST", "/v1/events", headers: ["Content-Type": "application/json"], body: good)
        #expect(reply.status == 401)
        reply = try post(connection, good, key: "bsr_wrong")
        #expect(reply.status == 401)
        reply = try post(connection, good, key: live.app.viewerKey)
        #expect(reply.status == 403)
        reply = try post(connection, Array("{\"id\":".utf8), key: live.app.routerKey)
        #expect(reply.status == 400)
        reply = try post(connection, [UInt8](repeating: UInt8(ascii: " "), count: 200 * 1024), key: live.app.routerKey)
        #expect(reply.status == 413)
        reply = try post(connection, good, key: live.app.routerKey, type: "application/xml")
        #expect(reply.status == 415)
        reply = try post(connection, JSONValue.array([EventJSON.event("", extra: [])]).serialized(), key: live.app.routerKey)
        #expect(reply.status == 422)
        reply = try connection.send("PATCH", "/v1/events", headers: ["Authorization": "Bearer \(live.app.routerKey)"])
        #expect(reply.status == 405)
        #expect(reply.headers["allow"] == "POST, GET, HEAD")
        let error = try JSONSupport.object(reply.body)["error"] as? [String: Any]
        #expect(error?["code"] as? String == "method_not_allowed")
        // The connection is still usable after all of that.
        #expect(try post(connection, good, key: live.app.routerKey).status == 200)
    }

    @Test func ndjsonAndCloudEventsOverTheWire() throws {
        let live = try LiveServer(app: TestApp())
        let connection = live.connection()
        let lines = [EventJSON.event("n1"), EventJSON.event("n2")].map { String(decoding: $0.serialized(), as: UTF8.self) }.joined(separator: "\n")
        let ndjson = try post(connection, Array(lines.utf8), key: live.app.routerKey, type: "application/x-ndjson")
        #expect(try JSONSupport.object(ndjson.body)["accepted"] as? Int == 2)
        let cloud = #"[{"specversion":"1.0","type":"bursar.usage","id":"c1","source":"edge-1","time":"2026-11-20T10:00:00Z","data":{"model":"gpt-4o","provider":"openai","tier":"frontier","input_tokens":1,"output_tokens":1}}]"#
        let reply = try post(connection, Array(cloud.utf8), key: try live.app.routerKey(sources: "edge-*"), type: "application/cloudevents-batch+json")
        #expect(try JSONSupport.object(reply.body)["accepted"] as? Int == 1)
        #expect(try live.app.database.eventIDs(source: "edge-1") == ["c1"])
    }
}
