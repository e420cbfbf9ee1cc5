import BursarCore
import BursarHTTP
import BursarTesting
import Dispatch
import Foundation
import HTTPToolkit
import Testing

/// Work of one kind of caller never holds back another: a reports lane full of viewers'
/// searches leaves admin changes, decisions, bundles and health answering, and a decisions
/// lane held by a router leaves health, bundles and ingest on the server's own threads.
@Suite(.serialized) struct WorkLaneTests {
    /// Fills a pool: every worker held until `release`, and its queue full.
    static func fill(_ pool: WorkPool, until release: DispatchSemaphore) {
        let started = DispatchSemaphore(value: 0)
        for _ in 0..<pool.width { #expect(pool.submit { started.signal(); release.wait() }) }
        for _ in 0..<pool.width { started.wait() }
        while pool.submit({ release.wait() }) {}
    }

    static func send(_ live: LiveServer, _ method: String, _ target: String, key: String?, body: String = "") -> Int {
        var headers = ["Content-Type": "application/json"]
        if let key { headers["Authorization"] = "Bearer \(key)" }
        return (try? live.connection().send(method, target, headers: headers, body: Array(body.utf8)).status) ?? 0
    }

    @Test func viewersReportsNeverHoldBackAnAdminsChange() throws {
        let live = try LiveServer(app: TestApp())
        let release = DispatchSemaphore(value: 0)
        Self.fill(live.app.api.lanes.reports, until: release)
        defer { for _ in 0..<(live.app.api.lanes.reports.maximumWaiting + 16) { release.signal() } }
        // The reports lane is full: a viewer is told to retry ...
        #expect(Self.send(live, "GET", "/v1/spend?group_by=user", key: live.app.viewerKey) == 503)
        // ... while an admin's changes, routers and health answer at once.
        let made = try live.connection().send("POST", "/v1/keys", headers: ["Authorization": "Bearer \(live.app.adminKey)", "Content-Type": "application/json"],
                                              body: Array(#"{"name":"ops","role":"viewer"}"#.utf8))
        #expect(made.status == 201, "\(made.text)")
        #expect(Self.send(live, "DELETE", "/v1/keys/ops", key: live.app.adminKey) == 204)
        #expect(Self.send(live, "GET", "/v1/keys", key: live.app.adminKey) == 200)
        #expect(Self.send(live, "GET", "/v1/bundle", key: live.app.routerKey) == 200)
        #expect(Self.send(live, "GET", "/healthz", key: nil) == 200)
    }

    @Test func heldDecisionsLeaveHealthBundlesAndIngestAnswering() throws {
        let live = try LiveServer(app: TestApp())
        let release = DispatchSemaphore(value: 0)
        Self.fill(live.app.api.lanes.decisions, until: release)
        defer { for _ in 0..<(live.app.api.lanes.decisions.maximumWaiting + 16) { release.signal() } }
        #expect(Self.send(live, "POST", "/v1/decide", key: live.app.routerKey, body: #"{"complexity":0.5}"#) == 503)
        #expect(Self.send(live, "GET", "/healthz", key: nil) == 200)
        #expect(Self.send(live, "GET", "/v1/bundle", key: live.app.routerKey) == 200)
        let events = JSONValue.array([EventJSON.event("lane-1")]).serialized()
        let stored = try live.connection().send("POST", "/v1/events", headers: ["Authorization": "Bearer \(live.app.routerKey)", "Content-Type": "application/json"],
                                                body: events)
        #expect(stored.status == 200, "\(stored.text)")
    }
}
