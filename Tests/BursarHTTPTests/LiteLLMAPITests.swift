import BursarCore
import BursarTesting
import Foundation
import Testing

@Suite struct LiteLLMAPITests {
    static func payload(_ id: String, status: String = "success", cacheHit: Bool = false, extra: String = "") -> String {
        let start = Date().timeIntervalSince1970 - 30
        return #"{"id":"\#(id)","status":"\#(status)","custom_llm_provider":"openai","model":"openai/gpt-4o-mini","model_group":"standard","startTime":\#(start),"endTime":\#(start + 0.25),"prompt_tokens":1000,"completion_tokens":200,"response_cost":0.00027,"cache_hit":\#(cacheHit),"trace_id":"t-\#(id)","metadata":{"user_api_key_end_user_id":"erin","requester_metadata":{"feature":"faq"},"usage_object":{"prompt_tokens_details":{"cached_tokens":100}}}\#(extra)}"#
    }

    @Test func arraysObjectsAndNDJSONBecomeEvents() throws {
        let app = try TestApp()
        let array = "[\(Self.payload("a")),\(Self.payload("b", status: "failure", extra: #","error_information":{"error_code":"429"}"#))]"
        #expect(app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(array.utf8)).status == 200)
        let ndjson = Self.payload("c", cacheHit: true) + "\n" + Self.payload("a") + "\n"
        let answer = try JSONSupport.object(app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(ndjson.utf8)).body)
        #expect(answer["accepted"] as? Int == 1 && answer["duplicates"] as? Int == 1)
        let rows = try #require(try app.getJSON("/v1/spend?group_by=user,feature,status,model,tier")["rows"] as? [[String: Any]])
        let byStatus = Dictionary(grouping: rows) { $0["status"] as? String ?? "" }
        #expect(byStatus["ok"]?.first?["requests"] as? Int == 2)
        #expect(byStatus["error"]?.first?["requests"] as? Int == 1)
        #expect(rows.allSatisfy { $0["user"] as? String == "erin" && $0["feature"] as? String == "faq" && $0["model"] as? String == "gpt-4o-mini" })
        #expect(rows.allSatisfy { $0["tier"] as? String == "unassigned" }, "no active policy: no tier names the model group")
        let total = try #require(try app.getJSON("/v1/spend")["total"] as? [String: Any])
        #expect(total["input_tokens"] as? Int == 2000, "the cache hit counts no tokens")
        #expect(total["cached_input_tokens"] as? Int == 200)
    }

    @Test func badBodiesAreNamed() throws {
        let app = try TestApp()
        #expect(app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array("{\n nope".utf8)).status == 400)
        let missing = app.send("POST", "/v1/integrations/litellm", key: app.routerKey, body: Array(#"[{"status":"success"}]"#.utf8))
        #expect(missing.status == 422 && missing.bodyText.contains("\"index\":0"))
        #expect(app.send("POST", "/v1/integrations/litellm", key: app.viewerKey, body: Array("[]".utf8)).status == 403)
    }
}
