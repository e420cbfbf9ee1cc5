import BursarCore
import BursarHTTP
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// `GET /v1/events`: the request explorer's answers, through the real router.
@Suite struct EventSearchAPITests {
    static let range = "from=2026-11-20&to=2026-11-21"

    @Test func aRequestsAttemptsComeBackWithTheirPriceAndCostBasis() throws {
        let app = try TestApp()
        let events = [
            EventJSON.event("a1", model: "gpt-4o", extra: [("request_id", "req-4"), ("reason", "primary"), ("status", "timeout")]),
            EventJSON.event("a2", model: "gpt-4o", extra: [("request_id", "req-4"), ("attempt", 2), ("reason", "fallback")]),
            EventJSON.event("other", extra: [("request_id", "req-5")]),
            EventJSON.event("nobody-prices-this", model: "local-llama", provider: "local", extra: [("request_id", "req-4"), ("attempt", 3)]),
        ]
        #expect(app.postEvents(events).status == 200)
        let page = try app.getJSON("/v1/events?request_id=req-4&\(Self.range)")
        let found = try #require(page["events"] as? [[String: Any]])
        #expect(found.map { $0["id"] as? String } == ["nobody-prices-this", "a2", "a1"])
        #expect(page["next"] is NSNull)
        let fallback = found[1]
        #expect(fallback["reason"] as? String == "fallback" && fallback["attempt"] as? Int == 2)
        #expect(fallback["cost_basis"] as? String == "catalog")
        // 1,000 input tokens × $2.50 + 200 output × $10 per million = $0.0045.
        #expect(fallback["cost_usd"] as? String == "0.004500000")
        let price = try #require(fallback["price"] as? [String: Any])
        #expect(price["input"] as? String == "2.50" && price["output"] as? String == "10.00" && price["model"] as? String == "gpt-4o")
        #expect(found[2]["status"] as? String == "timeout")
        #expect(found[0]["cost_basis"] as? String == "unpriced" && found[0]["price"] is NSNull)

        let errors = try #require(try app.getJSON("/v1/events?status=error&\(Self.range)")["events"] as? [[String: Any]])
        #expect(errors.map { $0["id"] as? String } == ["a1"])
    }

    @Test func pagesGoOnWhereTheLastStopped() throws {
        let app = try TestApp()
        #expect(app.postEvents((0..<12).map { EventJSON.event("e\($0)") }).status == 200)
        var seen: [String] = []
        var before: String?
        repeat {
            let page = try app.getJSON("/v1/events?limit=5&\(Self.range)" + (before.map { "&before=\($0)" } ?? ""))
            seen += try #require(page["events"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            before = page["next"] as? String
        } while before != nil && seen.count < 20
        #expect(seen.count == 12 && Set(seen).count == 12)
    }

    @Test(arguments: [("before=0", "before"), ("before=x", "before"), ("limit=501", "limit"), ("request_id=", "request_id"),
                      ("group_by=user", "group_by"), ("from=yesterday", "from")])
    func badParametersAreNamed(query: String, field: String) throws {
        let app = try TestApp()
        let response = app.send("GET", "/v1/events?\(query)", key: app.viewerKey)
        #expect(response.status == 400)
        #expect((try JSONSupport.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
    }

    @Test func routerKeysCannotReadEvents() throws {
        let app = try TestApp()
        #expect(app.send("GET", "/v1/events", key: app.routerKey).status == 403)
    }
}
