import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// `bursar router-demo` (built on the SDK) in front of fake providers, against a real Bursar.
@Suite(.serialized) struct RouterDemoTests {
    final class Setup {
        let directory = RouterSDKTests.temporaryDirectory()
        let bursar: ServerProcess
        let demo: ServerProcess
        let admin: String

        init() throws {
            let database = directory + "/bursar.db"
            let keys = try RouterSDKTests.keys(database)
            admin = keys.admin
            bursar = try ServerProcess(database: database)
            demo = try ServerProcess(arguments: ["router-demo", "--url", "http://127.0.0.1:\(bursar.port)", "--key", keys.router,
                                                 "--listen", "127.0.0.1:0", "--instance", "demo-1", "--state", directory + "/router"])
            // Ready once the router holds a bundle from Bursar.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let state = try JSONValue.parse(demo.connection().send("GET", "/demo/state").body)
                if state[member: "bundle"]?[member: "origin"]?.stringValue == "server" { return }
                Thread.sleep(forTimeInterval: 0.02)
            }
            Issue.record("the router demo never held a bundle from Bursar")
        }

        /// Stops both processes and checks that each exited cleanly (a sanitizer's report at
        /// shutdown makes the status non-zero).
        func stop() {
            #expect(demo.terminate() == 0, "the router demo stopped cleanly")
            #expect(bursar.terminate() == 0, "the server stopped cleanly")
        }

        func chat(user: String, feature: String, intent: String, complexity: Double) throws -> (Int, JSONValue) {
            let body = #"{"messages":[{"role":"user","content":"help me please"}],"user":"\#(user)","metadata":{"feature":"\#(feature)","intent":"\#(intent)","complexity":\#(complexity)}}"#
            let reply = try demo.connection().send("POST", "/v1/chat/completions", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            return (reply.status, try JSONValue.parse(reply.body))
        }

        func provider(_ name: String, errorRate: Double) throws {
            let reply = try demo.connection().send("PUT", "/demo/providers/\(name)", headers: ["Content-Type": "application/json"],
                                                   body: Array(#"{"error_rate":\#(errorRate)}"#.utf8))
            #expect(reply.status == 200)
        }

        func bursarJSON(_ path: String) throws -> JSONValue {
            try JSONValue.parse(bursar.connection().send("GET", path, headers: ["Authorization": "Bearer \(admin)"]).body)
        }

        /// Requests per attempt reason, as the dashboard's rates read them.
        func requestsByReason(feature: String) throws -> [String: Int64] {
            let rows = try bursarJSON("/v1/spend?group_by=reason&feature=\(feature)")[member: "rows"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[member: "reason"]?.stringValue ?? "", $0[member: "requests"]?.integerValue ?? 0) })
        }
    }

    @Test func anExceededBudgetFlipsNewRequestsToTheDowngradeTier() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let put = try setup.bursar.connection().send("PUT", "/v1/budgets/reviews", headers: [
            "Authorization": "Bearer \(setup.admin)", "Content-Type": "application/json",
        ], body: Array(#"{"scope":{"feature":"review"},"period":"day","limit_usd":"0.0001","action":"downgrade","downgrade_to":"fast"}"#.utf8))
        #expect(put.status == 201)
        let (status, first) = try setup.chat(user: "u-1", feature: "review", intent: "analysis", complexity: 0.8)
        #expect(status == 200)
        #expect(first[member: "bursar"]?[member: "decided_tier"]?.stringValue == "standard")
        var flipped: JSONValue?
        let deadline = Date().addingTimeInterval(15)
        while flipped == nil, Date() < deadline {
            let (_, answer) = try setup.chat(user: "u-1", feature: "review", intent: "analysis", complexity: 0.8)
            if answer[member: "bursar"]?[member: "decided_tier"]?.stringValue == "fast" { flipped = answer }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let reasons = flipped?[member: "bursar"]?[member: "reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(reasons.contains { $0.contains("budget reviews is exceeded: downgraded from standard") }, "\(reasons)")
        // Requests outside the budget's scope are untouched.
        let (_, other) = try setup.chat(user: "u-1", feature: "search", intent: "analysis", complexity: 0.8)
        #expect(other[member: "bursar"]?[member: "decided_tier"]?.stringValue == "standard")
    }

    @Test func aProviderOutageShowsAsFallbacksThenABreakerOpens() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.provider("groq", errorRate: 1)
        for index in 0..<30 {
            let (status, answer) = try setup.chat(user: "u-\(index % 5)", feature: "support-chat", intent: "faq", complexity: 0.05)
            #expect(status == 200)
            let attempts = answer[member: "bursar"]?[member: "attempts"]?.arrayValue ?? []
            #expect(attempts.map { $0[member: "provider"]?.stringValue ?? "" }.prefix(2) == ["groq", "together"])
        }
        // Every request fell back: the dashboard's fallback rate (fallbacks per primary attempt) is 100%.
        var reasons: [String: Int64] = [:]
        let deadline = Date().addingTimeInterval(10)
        while reasons["fallback"] != 30, Date() < deadline {
            reasons = try setup.requestsByReason(feature: "support-chat")
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(reasons["primary"] == 30 && reasons["fallback"] == 30)
        let failures = try setup.bursarJSON("/v1/spend?group_by=provider,status&feature=support-chat")[member: "rows"]?.arrayValue ?? []
        #expect(failures.contains { $0[member: "provider"]?.stringValue == "groq" && $0[member: "status"]?.stringValue == "error"
            && $0[member: "requests"]?.integerValue == 30 })

        // The whole fast tier down: its breaker opens and requests are promoted to standard.
        try setup.provider("together", errorRate: 1)
        var promoted = false
        for _ in 0..<40 where !promoted {
            let (status, answer) = try setup.chat(user: "u-1", feature: "support-chat", intent: "faq", complexity: 0.05)
            promoted = status == 200 && answer[member: "bursar"]?[member: "attempts"]?.arrayValue?.first?[member: "tier"]?.stringValue == "standard"
        }
        #expect(promoted)
        let state = try JSONValue.parse(setup.demo.connection().send("GET", "/demo/state").body)
        #expect(state[member: "breakers"]?[member: "fast"]?.stringValue == "open")
        #expect(state[member: "bundle"]?[member: "origin"]?.stringValue == "server")
    }
}
