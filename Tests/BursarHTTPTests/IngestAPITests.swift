import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

@Suite struct IngestAPITests {
    @Test func aBatchIsAcceptedAndARetryIsAllDuplicates() throws {
        let app = try TestApp()
        let batch = (1...5).map { EventJSON.event("e\($0)") }
        let first = try JSONSupport.object(app.postEvents(batch).body)
        #expect(first["accepted"] as? Int == 5 && first["duplicates"] as? Int == 0)
        let before = try app.getJSON("/v1/spend/summary?from=2026-11-01&to=2026-12-01")
        let again = try JSONSupport.object(app.postEvents(batch).body)
        #expect(again["accepted"] as? Int == 0 && again["duplicates"] as? Int == 5)
        let after = try app.getJSON("/v1/spend/summary?from=2026-11-01&to=2026-12-01")
        #expect(after["requests"] as? Int == 5)
        #expect(after["cost_usd"] as? String == before["cost_usd"] as? String)
        #expect(try app.database.rollupDiscrepancies().isEmpty)
    }

    @Test func theSameIdFromAnotherSourceIsAnotherEvent() throws {
        let app = try TestApp()
        let events = [EventJSON.event("same", extra: [("source", "a")]), EventJSON.event("same", extra: [("source", "b")]),
                      EventJSON.event("same", extra: [("source", "a")])]
        let answer = try JSONSupport.object(app.postEvents(events, key: try app.routerKey(sources: "a,b")).body)
        #expect(answer["accepted"] as? Int == 2 && answer["duplicates"] as? Int == 1)
    }

    @Test func badEventsAreListedByIndexAndGoodOnesKept() throws {
        let app = try TestApp()
        let response = app.postEvents([EventJSON.event("ok-1"), EventJSON.event("bad", extra: [("input_tokens", "many")]),
                                       EventJSON.event("ok-2"), .string("not an event")])
        #expect(response.status == 200)
        let answer = try JSONSupport.object(response.body)
        #expect(answer["accepted"] as? Int == 2)
        let rejected = try #require(answer["rejected"] as? [[String: Any]])
        #expect(rejected.compactMap { $0["index"] as? Int } == [1, 3])
        #expect((rejected[0]["error"] as? [String: Any])?["field"] as? String == "input_tokens")
    }

    @Test func noValidEventIs422() throws {
        let app = try TestApp()
        let response = app.postEvents([EventJSON.event("x", extra: [("time", "yesterday")])])
        #expect(response.status == 422)
        #expect(try JSONSupport.object(response.body)["accepted"] as? Int == 0)
    }

    @Test func errorsCarryTheRightStatusAndAJSONBody() throws {
        let app = try TestApp()
        let event = JSONValue.array([EventJSON.event("a")]).serialized()
        let cases: [(Response, Int, String)] = [
            (app.send("POST", "/v1/events", key: nil, body: event), 401, "unauthenticated"),
            (app.send("POST", "/v1/events", key: "bsr_not_a_key", body: event), 401, "unauthenticated"),
            (app.send("POST", "/v1/events", key: app.viewerKey, body: event), 403, "forbidden"),
            (app.send("GET", "/v1/spend", key: app.routerKey), 403, "forbidden"),
            (app.send("POST", "/v1/events", key: app.routerKey, body: Array("[{".utf8)), 400, "malformed_body"),
            (app.send("POST", "/v1/events", key: app.routerKey, contentType: "text/plain", body: event), 415, "unsupported_media_type"),
            (app.send("DELETE", "/v1/events", key: app.routerKey), 405, "method_not_allowed"),
            (app.send("GET", "/v1/nothing-here", key: app.adminKey), 404, "not_found"),
            (app.send("GET", "/v1/spend?group_by=colour", key: app.viewerKey), 400, "invalid_parameter"),
            (app.send("GET", "/v1/spend?colour=red", key: app.viewerKey), 400, "bad_request"),
        ]
        for (response, status, code) in cases {
            #expect(response.status == status)
            let error = try JSONSupport.object(response.body)["error"] as? [String: Any]
            #expect(error?["code"] as? String == code, "\(status): \(response.bodyText)")
        }
        #expect(cases[6].0.header("Allow") == "POST, GET, HEAD")
        #expect(cases[0].0.header("WWW-Authenticate") == "Bearer")
    }

    @Test func revokedKeysStopWorkingWithinASecondWhateverTheWallClockDoes() throws {
        // The app's clock stands still (as a wall clock set back would seem to): the key cache's
        // second is measured on the monotonic clock, so the revocation still takes effect.
        let app = try TestApp(now: TestClock.midPeriod)
        let time = Timestamp.format(TestClock.midPeriod)
        let key = try app.database.createKey(name: "short-lived", role: .router)
        #expect(app.postEvents([EventJSON.event("a", time: time)], key: key).status == 200)
        try app.database.revokeKey(name: "short-lived")
        #expect(eventually(within: 5) { app.postEvents([EventJSON.event("b", time: time)], key: key).status == 401 })
    }

    @Test func healthAndReadiness() throws {
        let app = try TestApp()
        #expect(app.send("GET", "/healthz", key: nil).status == 200)
        #expect(app.send("GET", "/readyz", key: nil).status == 200)
    }
}
