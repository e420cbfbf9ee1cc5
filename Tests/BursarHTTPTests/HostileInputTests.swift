import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// Inputs meant to hurt: each gets a clear 4xx naming the problem, never a crash or a 5xx, and
/// text is stored as text.
@Suite struct HostileInputTests {
    static let now = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000) - 60_000)

    func post(_ app: TestApp, _ body: [UInt8], contentType: String = "application/json") -> (Int, String) {
        let response = app.send("POST", "/v1/events", key: app.routerKey, contentType: contentType, body: body)
        return (response.status, response.bodyText)
    }

    @Test func malformedBodiesAreRefusedWithTheirReason() throws {
        let app = try TestApp()
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)
        let cases: [(String, [UInt8], String)] = [
            ("deep nesting", deep, "deep"),
            ("invalid UTF-8", Array(#"[{"id":""#.utf8) + [0xff, 0xfe] + Array(#""}]"#.utf8), "UTF-8"),
            ("a NUL byte in the body", Array(#"[{"id":"a"#.utf8) + [0] + Array(#""}]"#.utf8), ""),
            ("truncated", Array(#"[{"id":"a","#.utf8), ""),
            ("not JSON", Array("DROP TABLE events;".utf8), ""),
        ]
        for (name, body, mention) in cases {
            let (status, text) = post(app, body)
            #expect(status == 400, "\(name): \(status) \(text.prefix(200))")
            #expect(text.contains("\"error\""), "\(name)")
            if !mention.isEmpty { #expect(text.contains(mention), "\(name): \(text.prefix(200))") }
        }
    }

    @Test func hostileFieldsAreNamed() throws {
        let app = try TestApp()
        let long = String(repeating: "x", count: 10 * 1024 * 1024)
        let cases: [(String, JSONValue, String)] = [
            ("negative tokens", EventJSON.event("n1", time: Self.now, input: -5), "input_tokens"),
            ("huge number", EventJSON.event("n2", time: Self.now, extra: [("input_tokens", .raw(Array("1e400".utf8)))]), "input_tokens"),
            ("huge integer", EventJSON.event("n3", time: Self.now, extra: [("output_tokens", .raw(Array("99999999999999999999999".utf8)))]), "output_tokens"),
            ("year 9999", EventJSON.event("n4", time: "9999-12-31T23:59:59Z"), "time"),
            ("year 0", EventJSON.event("n5", time: "0000-01-01T00:00:00Z"), "time"),
            ("a 10 MB user id", EventJSON.event("n6", time: Self.now, extra: [("user", .string(long))]), "user"),
            ("a NUL in a string", EventJSON.event("n7", time: Self.now, extra: [("user", .string("a\u{0}b"))]), "user"),
            ("a NUL in an id", EventJSON.event("a\u{0}", time: Self.now), "id"),
            ("cost as text", EventJSON.event("n8", time: Self.now, extra: [("cost_usd", .string("free"))]), "cost_usd"),
            ("negative latency", EventJSON.event("n9", time: Self.now, extra: [("latency_ms", .integer(-1))]), "latency_ms"),
            ("complexity 7", EventJSON.event("n10", time: Self.now, extra: [("complexity", .number(7))]), "complexity"),
        ]
        for (name, event, field) in cases {
            let (status, text) = post(app, JSONValue.array([event]).serialized())
            #expect(status == 422 && text.contains("\"field\":\"\(field)\""), "\(name): \(text.prefix(300))")
        }
        // Nothing was stored (text with U+0000 is refused: PostgreSQL cannot keep it), and the server still answers.
        let rows = try #require(try app.getJSON("/v1/spend?group_by=user")["rows"] as? [[String: Any]])
        #expect(rows.isEmpty, "\(rows)")
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
    }

    @Test func sqlMetacharactersInEveryStringFieldAreStoredAsText() throws {
        let app = try TestApp()
        let nasty = #"x'); DROP TABLE events; -- " OR 1=1 /* \ %_"#
        let fields = ["user", "team", "feature", "request_id", "rule", "policy_revision", "intent"]
        var extra: [(String, JSONValue)] = fields.map { ($0, .string("\(nasty) \($0)")) }
        extra.append(("source", .string("\(nasty) source")))
        let event = EventJSON.event("\(nasty) id", time: Self.now, model: "\(nasty) model", provider: "\(nasty) provider",
                                    tier: "\(nasty) tier", extra: extra)
        let response = app.postEvents([event], key: try app.routerKey(sources: "*"))
        let (status, text) = (response.status, response.bodyText)
        #expect(status == 200 && text.contains(#""accepted":1"#), "\(text)")
        let rows = try #require(try app.getJSON("/v1/spend?group_by=user,team,feature,source,tier,provider,model")["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        for field in ["user", "team", "feature", "source", "tier", "provider", "model"] {
            #expect(row[field] as? String == "\(nasty) \(field)", "\(field)")
        }
        #expect(try app.database.eventIDs(source: "\(nasty) source") == ["\(nasty) id"])
        // Filters take the same text back.
        let filtered = try app.getJSON("/v1/spend?user=\(("\(nasty) user").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        #expect((filtered["total"] as? [String: Any])?["requests"] as? Int == 1)
        let budget = app.send("PUT", "/v1/budgets/evil", key: app.adminKey,
                              body: JSONValue.object([("scope", .object([("user", .string(nasty))])), ("period", "day"), ("limit_usd", "1")]).serialized())
        #expect(budget.status == 201)
        #expect(try app.getJSON("/v1/budgets/evil")["scope"] as? [String: String] == ["user": nasty])
    }
}
