import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// Long polls over a real socket: held without threads, answered on change.
@Suite struct LongPollTests {
    @Test func fiveHundredHeldLongPollsDoNotSlowOtherRequests() throws {
        let live = try LiveServer(app: TestApp())
        let key = live.app.routerKey
        let first = try live.connection().send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)"])
        let etag = try #require(first.headers["etag"])
        let polls = (0..<500).map { _ in live.connection() }
        for poll in polls {
            try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(key)", "If-None-Match": etag, "Prefer": "wait=30"])
        }
        var held = 0
        for _ in 0..<100 where held < 500 {
            held = live.app.api.publisher.heldRequests
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(held == 500)

        let other = live.connection()
        var slowest = Duration.zero
        for _ in 0..<50 {
            let started = ContinuousClock.now
            let reply = try other.send("GET", "/healthz")
            slowest = max(slowest, ContinuousClock.now - started)
            #expect(reply.status == 200)
        }
        #expect(slowest < .milliseconds(200), "requests are answered promptly while 500 polls are held: \(slowest)")

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
