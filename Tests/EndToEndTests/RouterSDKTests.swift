import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// The router SDK against a real `bursar serve`.
@Suite(.serialized) struct RouterSDKTests {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "bursar-sdk-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func keys(_ database: String) throws -> (admin: String, router: String) {
        let admin = try ServerProcess.run(["keys", "create", "--db", database, "--role", "admin", "--name", "sdk-admin"])
        let router = try ServerProcess.run(["keys", "create", "--db", database, "--role", "router", "--name", "sdk-router"])
        return (admin.trimmingCharacters(in: .whitespacesAndNewlines), router.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func event(_ id: String) -> UsageEvent {
        var event = UsageEvent(id: id, source: "", time: Int64(Date().timeIntervalSince1970 * 1000) - 1000, model: "llama-3.1-8b-instant",
                               provider: "groq", tier: "fast", inputTokens: 500, outputTokens: 100)
        event.user = "u-\(id.count)"
        event.feature = "support-chat"
        return event
    }

    func put(_ server: ServerProcess, _ key: String, _ path: String, _ body: String) throws -> Int {
        try server.connection().send("PUT", path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                     body: Array(body.utf8)).status
    }

    @Test func aNewRevisionArrivesByLongPollWithinASecond() throws {
        let directory = Self.temporaryDirectory()
        let database = directory + "/bursar.db"
        let keys = try Self.keys(database)
        let server = try ServerProcess(database: database)
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let client = try RouterClient(url: "http://127.0.0.1:\(server.port)", key: keys.router, instanceID: "edge-1",
                                      stateDirectory: directory + "/router")
        client.start()
        defer { client.close() }
        #expect(client.bundles.wait(timeout: 10) { $0.origin == .server })
        let first = try #require(client.bundles.snapshot)
        #expect(client.decide(RoutingRequest(intent: "faq"))?.tier == "fast")
        let holding = try eventually {
            try server.connection().send("GET", "/metrics", headers: ["Authorization": "Bearer \(keys.admin)"]).text
                .contains("\nbursar_bundle_long_polls_held 1\n")
        }
        #expect(holding, "the client holds a long poll")

        let changed = Date()
        #expect(try put(server, keys.admin, "/v1/overrides/ceo", #"{"match":{"user":"ceo"},"effect":"force_tier","tier":"frontier"}"#) == 201)
        #expect(client.bundles.wait(timeout: 1.0) { $0.bundle.revision != first.bundle.revision })
        #expect(Date().timeIntervalSince(changed) < 1.0)
        #expect(client.decide(RoutingRequest(user: "ceo"))?.tier == "frontier")

        // Its status reached the fleet view as SYNCED on the new revision.
        var synced = false
        for _ in 0..<50 where !synced {
            let fleet = try JSONValue.parse(server.connection().send("GET", "/v1/fleet", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
            synced = fleet[member: "instances"]?.arrayValue?.contains { $0[member: "instance_id"]?.stringValue == "edge-1" && $0[member: "state"]?.stringValue == "SYNCED" } == true
            if !synced { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(synced)
    }

    /// A real server, a man in the middle before it, and a router on the SDK behind that one,
    /// holding the server's bundle.
    final class ProxiedRouter {
        let server: ServerProcess
        let proxy: TamperingProxy
        let client: RouterClient
        let keys: (admin: String, router: String)
        let instance: String

        init(instance: String, serverArguments: [String] = []) throws {
            let directory = RouterSDKTests.temporaryDirectory()
            let database = directory + "/bursar.db"
            keys = try RouterSDKTests.keys(database)
            server = try ServerProcess(database: database, extraArguments: serverArguments)
            proxy = try TamperingProxy(upstreamPort: server.port)
            self.instance = instance
            client = try RouterClient(url: "http://127.0.0.1:\(proxy.port)", key: keys.router, instanceID: instance,
                                      stateDirectory: directory + "/router") { bundles, _ in bundles.waitSeconds = 2 }
            client.start()
        }

        deinit {
            client.close()
            #expect(server.terminate() == 0, "the server stopped cleanly")
        }

        /// An override that changes the bundle (team legal: at least standard).
        func changeTheBundle() throws -> Int {
            try server.connection().send("PUT", "/v1/overrides/legal", headers: [
                "Authorization": "Bearer \(keys.admin)", "Content-Type": "application/json",
            ], body: Array(#"{"match":{"team":"legal"},"effect":"min_tier","tier":"standard"}"#.utf8)).status
        }

        /// Waits until the fleet shows the instance REJECTED with `code`.
        func waitUntilRejected(code: String) throws -> Bool {
            for _ in 0..<200 {
                let fleet = try JSONValue.parse(server.connection().send("GET", "/v1/fleet", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
                let entry = fleet[member: "instances"]?.arrayValue?.first { $0[member: "instance_id"]?.stringValue == instance }
                if entry?[member: "state"]?.stringValue == "REJECTED", entry?[member: "error"]?[member: "code"]?.stringValue == code { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
    }

    @Test func aTamperedBundleIsRefusedAndReportedThroughStatus() throws {
        let setup = try ProxiedRouter(instance: "edge-tampered")
        let client = setup.client
        #expect(client.bundles.wait(timeout: 10) { $0.origin == .server })
        let genuine = try #require(client.bundles.snapshot?.bundle.revision)

        setup.proxy.tamper(true)
        #expect(try setup.changeTheBundle() == 201)
        #expect(try setup.waitUntilRejected(code: "signature_invalid"))
        #expect(client.bundles.rejectedCount >= 1)
        #expect(client.bundles.snapshot?.bundle.revision == genuine, "the tampered bundle was never used")
        #expect(client.decide(RoutingRequest(team: "legal"))?.tier == "fast")

        setup.proxy.tamper(false)
        #expect(client.bundles.wait(timeout: 15) { $0.bundle.revision != genuine })
        #expect(client.decide(RoutingRequest(team: "legal"))?.tier == "standard")
    }

    /// A proxy answering every bundle poll with 304 hides whatever Bursar publishes; the
    /// bundle carries a signed `stale_after`, and the router notices once it passes. A router
    /// that reaches Bursar never holds a stale bundle: the same content is issued again before.
    @Test func aBundlePastItsSignedMaximumAgeIsStaleSoAProxyAnswering304CannotHideChanges() throws {
        let setup = try ProxiedRouter(instance: "edge-stale", serverArguments: ["--bundle-max-age", "4"])
        let client = setup.client
        #expect(client.bundles.wait(timeout: 10) { $0.origin == .server })
        let first = try #require(client.bundles.snapshot?.bundle)
        #expect(first.staleAfter == first.issuedAt + 4_000, "signed in the bundle: issued at plus the maximum age")
        #expect(client.bundles.wait(timeout: 10) { $0.bundle.issuedAt > first.issuedAt }, "issued again within a quarter of the age")
        #expect(client.bundles.snapshot?.bundle.revision == first.revision && client.bundles.snapshot?.bundle.serial == first.serial,
                "the same content and serial, fresh")
        #expect(!client.bundleIsStale)

        setup.proxy.answerNotModified(true)
        // One poll at a time: once the proxy has answered one, none is on its way to Bursar.
        #expect(eventually { setup.proxy.answeredNotModified >= 1 })
        #expect(try setup.changeTheBundle() == 201, "a change the proxy hides")
        #expect(eventually(within: 15) { client.bundleIsStale }, "the router knows its bundle is stale")
        #expect(eventually { client.bundles.lastError?.contains("stale") == true }, "\(client.bundles.lastError ?? "")")
        #expect(client.bundles.snapshot?.bundle.revision == first.revision, "the change was hidden")
        #expect(client.decide(RoutingRequest(team: "legal"))?.tier == "fast", "and the router keeps routing by what it holds")

        setup.proxy.answerNotModified(false)
        #expect(client.bundles.wait(timeout: 15) { $0.bundle.revision != first.revision }, "the hidden change arrives")
        #expect(eventually { !client.bundleIsStale }, "fresh again")
    }

    @Test func anOlderBundleReplayedByAManInTheMiddleIsRefused() throws {
        let setup = try ProxiedRouter(instance: "edge-replayed")
        let client = setup.client
        #expect(client.bundles.wait(timeout: 10) { $0.origin == .server })
        let old = try #require(client.bundles.snapshot?.bundle)
        #expect(try setup.changeTheBundle() == 201)
        #expect(client.bundles.wait(timeout: 15) { $0.bundle.revision != old.revision })
        let newer = try #require(client.bundles.snapshot?.bundle)
        #expect(newer.serial > old.serial && newer.issuedAt >= old.issuedAt)

        setup.proxy.replay(true)
        #expect(try setup.waitUntilRejected(code: "bundle_replayed"), "the router reports the replay")
        #expect(client.bundles.snapshot?.bundle.revision == newer.revision, "the old bundle was never used")
        #expect(client.decide(RoutingRequest(team: "legal"))?.tier == "standard")
    }

    @Test func withBursarDownDecisionsGoOnEventsSpoolAndArriveOnceAfterRestart() throws {
        let directory = Self.temporaryDirectory()
        let database = directory + "/bursar.db"
        let state = directory + "/router"
        let keys = try Self.keys(database)
        var server = try ServerProcess(database: database)
        // The router's URL stays put across the restart; the server gets a new port.
        let relay = try PortRelay(to: server.port)
        let url = "http://127.0.0.1:\(relay.port)"

        let first = try RouterClient(url: url, key: keys.router, instanceID: "edge-2", stateDirectory: state)
        first.start()
        #expect(first.bundles.wait(timeout: 10) { $0.origin == .server })
        for index in 0..<100 { first.events.ship(Self.event("before-\(index)")) }
        #expect(first.events.flush(timeout: 10))
        #expect(first.events.statistics.accepted == 100)

        server.kill()
        relay.relay(to: nil)
        first.close(timeout: 1)

        // The router restarts while Bursar is down: it routes by the bundle on disk.
        let second = try RouterClient(url: url, key: keys.router, instanceID: "edge-2", stateDirectory: state)
        second.start()
        #expect(second.bundles.snapshot?.origin == .disk)
        #expect(second.decide(RoutingRequest(pii: true))?.tier == "secure")
        #expect(second.decide(RoutingRequest(intent: "faq"))?.tier == "fast")
        let shipping = ContinuousClock.now
        for index in 0..<300 { second.events.ship(Self.event("during-\(index)")) }
        // A retry of events Bursar already has must not count twice.
        for index in 0..<20 { second.events.ship(Self.event("before-\(index)")) }
        #expect(ContinuousClock.now - shipping < .seconds(5), "shipping never waits for the network (its timeout is 30 s)")
        var spooled = false
        for _ in 0..<200 where !spooled {
            spooled = second.events.statistics.spooled >= 320
            if !spooled { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(spooled)
        #expect(second.events.statistics.accepted == 0)

        server = try ServerProcess(database: database)
        relay.relay(to: server.port)
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        #expect(second.events.flush(timeout: 30))
        let statistics = second.events.statistics
        #expect(statistics.accepted == 300 && statistics.duplicates == 20 && statistics.dropped == 0 && statistics.rejected == 0,
                "\(statistics)")
        // Back in contact, the router reports the revision it runs (still the cached one: nothing changed).
        var synced = false
        for _ in 0..<100 where !synced {
            let fleet = try JSONValue.parse(server.connection().send("GET", "/v1/fleet", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
            synced = fleet[member: "instances"]?.arrayValue?.contains {
                $0[member: "instance_id"]?.stringValue == "edge-2" && $0[member: "state"]?.stringValue == "SYNCED"
                    && $0[member: "applied_revision"]?.stringValue == second.bundles.snapshot?.bundle.revision
            } == true
            if !synced { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(synced)
        second.close()

        let summary = try JSONValue.parse(server.connection().send("GET", "/v1/spend/summary", headers: ["Authorization": "Bearer \(keys.admin)"]).body)
        #expect(summary[member: "requests"]?.integerValue == 400)
        #expect(!FileManager.default.fileExists(atPath: state + "/spool/events.ndjson"), "the spool is emptied once acknowledged")
    }

    @Test func aRefusedKeyStopsPollingAndSaysWhy() throws {
        let directory = Self.temporaryDirectory()
        let database = directory + "/bursar.db"
        _ = try Self.keys(database)
        let server = try ServerProcess(database: database)
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let client = try RouterClient(url: "http://127.0.0.1:\(server.port)", key: "bsr_not-a-key", instanceID: "edge-3", stateDirectory: nil)
        client.start()
        defer { client.close() }
        var failure: BundleClient.Failure?
        for _ in 0..<100 where failure == nil {
            failure = client.bundles.failure
            if failure == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        guard case .refused(let status, _)? = failure else {
            Issue.record("expected the key to be refused, got \(String(describing: failure))")
            return
        }
        #expect(status == 401)
        #expect(eventually { !client.bundles.isPolling }, "polling stopped")
        #expect(client.decide(RoutingRequest()) == nil)
    }
}
