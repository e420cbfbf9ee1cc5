import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import Testing

@Suite struct OverridesAPITests {
    let now = Timestamp.parse("2026-11-22T12:00:00Z")!

    func put(_ app: TestApp, _ id: String, _ body: String, key: String? = nil) -> Response {
        app.send("PUT", "/v1/overrides/\(id)", key: key ?? app.adminKey, body: Array(body.utf8))
    }

    @Test func createReplaceExpireAndDelete() throws {
        let app = try TestApp(now: now)
        let body = #"{"match":{"user":"ceo@example.com"},"effect":"force_tier","tier":"frontier","expires_at":"2026-12-31T00:00:00Z","reason":"executive assistant"}"#
        #expect(put(app, "ceo", body).status == 201)
        #expect(put(app, "ceo", body.replacingOccurrences(of: "force_tier", with: "min_tier")).status == 200)
        let one = try app.getJSON("/v1/overrides/ceo")
        #expect(one["effect"] as? String == "min_tier" && one["author"] as? String == "test-admin")
        #expect((one["match"] as? [String: Any])?["user"] as? String == "ceo@example.com")

        let soon = #"{"match":{"team":"legal"},"effect":"max_tier","tier":"standard","expires_at":"2026-11-22T12:00:01Z"}"#
        #expect(put(app, "legal-cap", soon).status == 201)
        let later = try app.database.overrides(activeAt: now + 2000).map(\.id)
        #expect(later == ["ceo"], "an expired override drops out by itself")

        #expect(app.send("DELETE", "/v1/overrides/ceo", key: app.adminKey).status == 204)
        #expect(app.send("DELETE", "/v1/overrides/ceo", key: app.adminKey).status == 404)
        let audit = try #require(try app.getJSON("/v1/audit?target=overrides/ceo")["entries"] as? [[String: Any]])
        #expect(audit.compactMap { $0["action"] as? String } == ["override.delete", "override.update", "override.create"])
    }

    @Test(arguments: [
        (#"{"match":{},"effect":"force_tier","tier":"fast"}"#, "match"),
        (#"{"match":{"colour":"red"},"effect":"force_tier","tier":"fast"}"#, "match.colour"),
        (#"{"match":{"user":"u"},"effect":"teleport","tier":"fast"}"#, "effect"),
        (#"{"match":{"user":"u"},"effect":"force_tier"}"#, "tier"),
        (#"{"match":{"user":"u"},"effect":"force_tier","tier":"fast","expires_at":"2020-01-01T00:00:00Z"}"#, "expires_at"),
        (#"{"match":{"user":"u"},"effect":"force_tier","tier":"fast","why":"x"}"#, "why"),
    ])
    func badOverridesNameTheField(body: String, field: String) throws {
        let app = try TestApp(now: now)
        let response = put(app, "x", body)
        #expect(response.status == 422)
        #expect((try JSONSupport.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
    }

    @Test func theTierMustBelongToTheActivePolicy() throws {
        let app = try TestApp(now: now)
        _ = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                     body: Array(PoliciesAPITests.policy.utf8))
        let response = put(app, "x", #"{"match":{"user":"u"},"effect":"force_tier","tier":"secure"}"#)
        #expect(response.status == 422)
        #expect(put(app, "x", #"{"match":{"user":"u"},"effect":"force_tier","tier":"frontier"}"#).status == 201)
        #expect(put(app, "y", #"{"match":{"user":"u"},"effect":"force_tier","tier":"frontier"}"#, key: app.viewerKey).status == 403)
    }
}
