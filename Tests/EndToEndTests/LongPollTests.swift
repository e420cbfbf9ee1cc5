import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// Long polls over a real socket: held without threads, answered on change.
@Suite struct LongPollTests {
    @Test func whileTheServerDrainsANewRequestOnAKeptAliveConnectionIsAnsweredNotHeld() throws {
        let live = try LiveServer(app: TestApp())
        let key = live.app.routerKey
        let kept = live.connection()
        let first = try kept.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)"])
        let etag = try #require(first.headers["etag"])
        // One poll held keeps the drain waiting ...
        let poll = live.connection()
        try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": etag, "Prefer": "wait=30"])
        #expect(eventually { live.app.application.publisher.heldRequests == 1 })
        let drained = DispatchSemaphore(value: 0)
        let server = live.server
        Thread.detachNewThread {
            server.drain(timeout: .seconds(20))
            drained.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        // ... and a request that starts now on a kept-alive connection is answered at once:
        // suspended, it could outlast the drain (libmicrohttpd aborts when stopped with one).
        let late = try kept.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                 body: JSONValue.array([EventJSON.event("late")]).serialized())
        #expect(late.status == 503 && late.text.contains("shutting down"), "\(late.status) \(late.text)")
        live.app.application.beginStopping()
        #expect(drained.wait(timeout: .now() + 20) == .success, "the drain ended once the held poll was answered")
        #expect(try poll.receive().status == 304)
    }

    @Test func fiveHundredHeldLongPollsDoNotSlowOtherRequests() throws {
        let live = try LiveServer(app: TestApp())
        let key = live.app.routerKey
        let first = try live.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)"])
        let etag = try #require(first.headers["etag"])
        let polls = (0..<500).map { _ in live.connection() }
        for poll in polls {
            try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": etag, "Prefer": "wait=30"])
        }
        #expect(eventually { live.app.application.publisher.heldRequests == 500 })

        let other = live.connection()
        var slowest = Duration.zero
        for _ in 0..<50 {
            let started = ContinuousClock.now
            let reply = try other.send("GET", "/healthz")
            slowest = max(slowest, ContinuousClock.now - started)
            #expect(reply.status == 200)
        }
        // Answered while every poll is still held: none waited for a poll to end.
        #expect(live.app.application.publisher.heldRequests == 500)
        print("50 health checks with 500 long polls held: slowest \(slowest)")

        let changed = live.app.send("PUT", "/v1/overrides/all-legal", key: live.app.adminKey,
                                    body: Array(#"{"match":{"team":"legal"},"effect":"min_tier","tier":"standard"}"#.utf8))
        #expect(changed.status == 201)
        var updated = 0
        for poll in polls {
            let reply = try poll.receive()
            if reply.status == 200, reply.headers["etag"] != etag { updated += 1 }
        }
        #expect(updated == 500)
    }
}

@Suite struct BudgetLongPollTests {
    @Test func aWaitingRouterLearnsOfABudgetCrossing() throws {
        let live = try LiveServer(app: TestApp(runningFrom: TestClock.midPeriod))
        let app = live.app
        #expect(app.send("PUT", "/v1/budgets/tiny", key: app.adminKey,
                         body: Array(#"{"period":"day","limit_usd":"0.001","action":"block"}"#.utf8)).status == 201)
        let connection = live.connection()
        let first = try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(app.routerKey)"])
        let etag = try #require(first.headers["etag"])
        let poll = live.connection()
        try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(app.routerKey)", "If-None-Match": etag, "Prefer": "wait=30"])
        #expect(eventually { app.application.publisher.heldRequests == 1 })
        let now = Timestamp.format(TestClock.midPeriod)
        let events = JSONValue.array([EventJSON.event("x1", time: now, input: 1_000_000, output: 0)]).serialized()
        let ingest = try connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(app.routerKey)",
                                                                         "Content-Type": "application/json"], body: events)
        #expect(ingest.status == 200)
        // The commit drives the budget monitor, whose new bundle ends the wait (its end would be a 304).
        let reply = try poll.receive()
        #expect(reply.status == 200)
        let budgets = try JSONSupport.object(reply.body)["budgets"] as? [[String: Any]]
        #expect(budgets?.first?["state"] as? String == "exceeded")
    }
}

@Suite struct BundlePollOverTheWireTests {
    @Test func aCurrentETagIs304OnAKeptAliveConnectionAndEverythingElseTakesTheFullPath() throws {
        let live = try LiveServer(app: TestApp(runningFrom: TestClock.midPeriod))
        let connection = live.connection()
        let key = live.app.routerKey
        let first = try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)"])
        let etag = try #require(first.headers["etag"])
        for _ in 0..<3 {
            let again = try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": etag])
            #expect(again.status == 304 && again.headers["etag"] == etag && again.headers["connection"] != "close")
        }
        #expect(try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer nope", "If-None-Match": etag]).status == 401)
        #expect(try connection.send("GET", "/v1/bundle", headers: ["If-None-Match": etag]).status == 401)
        #expect(try connection.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": "\"old\""]).status == 200)
        #expect(try connection.send("GET", "/healthz").status == 200, "the connection is still open")
    }
}
