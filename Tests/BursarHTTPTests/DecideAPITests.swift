import BursarCore
import BursarTesting
import Foundation
import Testing

@Suite struct DecideAPITests {
    static func appWithDefaultPolicy() throws -> TestApp {
        let app = try TestApp()
        let policy = try String(contentsOf: ServerProcess.packageRoot.appendingPathComponent("policies/default.yaml"), encoding: .utf8)
        let created = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml", body: Array(policy.utf8))
        #expect(created.status == 201 || created.status == 200, "\(created.bodyText)")
        return app
    }

    func decide(_ app: TestApp, _ body: String, key: String? = nil) throws -> (Int, [String: Any]) {
        let response = app.send("POST", "/v1/decide", key: key ?? app.routerKey, body: Array(body.utf8))
        return (response.status, try JSONSupport.object(response.body))
    }

    @Test func decidesWithTheActivePolicyOverridesAndBudgets() throws {
        let app = try Self.appWithDefaultPolicy()
        let (status, faq) = try decide(app, #"{"user":"u-1","feature":"support-chat","intent":"faq","complexity":0.2,"confidence":0.9,"pii":false,"context_tokens":900,"request_id":"r-1"}"#)
        #expect(status == 200)
        #expect(faq["tier"] as? String == "fast")
        #expect((faq["models"] as? [[String: String]])?.first == ["provider": "groq", "model": "llama-3.1-8b-instant"])
        #expect(faq["rule"] is NSNull && faq["blocked"] as? Bool == false)
        #expect((faq["reasons"] as? [String])?.first?.contains("default tier fast") == true)
        let bundle = try app.getJSON("/v1/bundle", key: app.routerKey)
        #expect(faq["revision"] as? String == bundle["revision"] as? String)

        let (_, pii) = try decide(app, #"{"user":"u-1","pii":true,"intent":"legal_analysis"}"#)
        #expect(pii["tier"] as? String == "secure" && pii["rule"] as? String == "pii-stays-on-prem" && pii["locked"] as? Bool == true)

        // An exceeded blocking budget wins; the reasons say which.
        _ = app.postEvents([EventJSON.event("spend-1", time: Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000)), extra: [("user", "u-9")])])
        let put = app.send("PUT", "/v1/budgets/u9", key: app.adminKey,
                           body: Array(#"{"scope":{"user":"u-9"},"period":"month","limit_usd":"0.000000001","action":"block"}"#.utf8))
        #expect(put.status == 201, "\(put.bodyText)")
        let (_, blocked) = try decide(app, #"{"user":"u-9"}"#)
        #expect(blocked["blocked"] as? Bool == true && blocked["budget"] as? String == "u9")
        #expect((blocked["reasons"] as? [String])?.last?.contains("budget u9 is exceeded and blocks") == true)
    }

    @Test func badDescriptorsAreNamedAndViewersAreRefused() throws {
        let app = try Self.appWithDefaultPolicy()
        for (body, field) in [(#"{"complexity":2}"#, "complexity"), (#"{"pii":"yes"}"#, "pii"), (#"{"colour":"red"}"#, "colour"),
                              (#"{"context_tokens":-1}"#, "context_tokens"), (#"{"keywords":[1]}"#, "keywords")] {
            let (status, answer) = try decide(app, body)
            #expect(status == 422, "\(body)")
            #expect((answer["error"] as? [String: Any])?["field"] as? String == field)
        }
        #expect(app.send("POST", "/v1/decide", key: app.routerKey, body: Array("{".utf8)).status == 400)
        #expect(app.send("POST", "/v1/decide", key: app.viewerKey, body: Array("{}".utf8)).status == 403)
    }

    @Test func withoutAnActivePolicyItSaysSo() throws {
        let app = try TestApp()
        let (status, answer) = try decide(app, "{}")
        #expect(status == 409 && (answer["error"] as? [String: Any])?["code"] as? String == "no_active_policy")
    }
}
