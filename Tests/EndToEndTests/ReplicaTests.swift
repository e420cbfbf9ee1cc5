import BursarCore
import BursarHTTPClient
import BursarPostgres
import BursarTesting
import Foundation
import Locking
import Synchronization
import Testing

/// Three `bursar serve` replicas on one PostgreSQL, as a deployment runs them: events spread
/// over all three, one replica SIGKILLed and restarted mid-load; then every acknowledged event
/// is stored once, the rollups equal a recomputation, and what one replica changes the others
/// serve (same bundle, same ETag) within about a second.
@Suite(.serialized) struct ReplicaTests {
    /// The replicas and the keys made for the test.
    final class Deployment {
        let url: String
        var replicas: [ServerProcess]
        let admin: String
        let router: String
        let arguments: [String]

        init(arguments: [String] = []) throws {
            self.arguments = arguments
            url = try PostgresCluster.started().createDatabase()
            admin = try ServerProcess.run(["keys", "create", "--database", url, "--role", "admin", "--name", "ops"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            router = try ServerProcess.run(["keys", "create", "--database", url, "--role", "router", "--name", "edge"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            replicas = []
            do {
                for _ in 0..<3 { replicas.append(try Self.start(url, arguments)) }
            } catch {
                stop()
                throw error
            }
        }

        static func start(_ url: String, _ arguments: [String]) throws -> ServerProcess {
            try ServerProcess(arguments: ["serve", "--database", url, "--listen", "127.0.0.1:0", "--quiet"] + arguments)
        }

        func restart(_ index: Int) throws {
            replicas[index] = try Self.start(url, arguments)
        }

        /// The replicas that say they hold the singleton lease.
        func leaseHolders() throws -> [Int] {
            try (0..<replicas.count).filter { index in
                try send(index, "GET", "/metrics", key: admin).text.contains("\nbursar_singleton_lease_held 1\n")
            }
        }

        func send(_ index: Int, _ method: String, _ path: String, key: String, headers: [String: String] = [:],
                  body: [UInt8] = []) throws -> HTTPConnection.Reply {
            var all = headers
            all["Authorization"] = "Bearer \(key)"
            if !body.isEmpty, all["Content-Type"] == nil { all["Content-Type"] = "application/json" }
            return try replicas[index].connection().send(method, path, headers: all, body: body)
        }

        func stop() {
            for replica in replicas { #expect(replica.terminate() == 0, "the replica stopped cleanly") }
        }
    }

    static func batch(_ round: Int, size: Int = 50) -> [UInt8] {
        batch("r\(round)", size: size)
    }

    /// `size` events with ids `label-0`…, all of one user, model and tier: the same rollup rows.
    static func batch(_ label: String, size: Int = 50, extra: [(String, JSONValue)] = []) -> [UInt8] {
        let now = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000))
        return JSONValue.array((0..<size).map { EventJSON.event("\(label)-\($0)", time: now, input: 1_000, output: 100, extra: extra) }).serialized()
    }

    static func sleep(until instant: ContinuousClock.Instant) {
        let left = instant - ContinuousClock.now
        if left > .zero { Thread.sleep(forTimeInterval: left / .seconds(1)) }
    }

    @Test func eventsSpreadOverThreeReplicasWithOneKilledAreStoredOnceAndSummedExactly() throws {
        let deployment = try Deployment()
        defer { deployment.stop() }
        var acknowledged = Set<Int>()
        for round in 0..<60 {
            let replica = round % 3
            if round == 20 { deployment.replicas[1].kill() }
            if round == 35 { try deployment.restart(1) }
            let target = (replica == 1 && (20..<35).contains(round)) ? 0 : replica
            let reply = try deployment.send(target, "POST", "/v1/events", key: deployment.router, body: Self.batch(round))
            if reply.status == 200 { acknowledged.insert(round) }
        }
        #expect(acknowledged.count == 60, "every batch acknowledged by a live replica")
        // A router that did not hear the answer sends again, to another replica: counted as duplicates.
        let resent = try deployment.send(2, "POST", "/v1/events", key: deployment.router, body: Self.batch(7))
        #expect(resent.status == 200)
        #expect(try JSONSupport.object(resent.body)["duplicates"] as? Int == 50)

        let database = try PostgresDatabase(url: deployment.url)
        #expect(try database.eventCount() == 60 * 50)
        #expect(try Set(database.eventIDs(source: "edge")).count == 60 * 50)
        #expect(try database.rollupDiscrepancies() == [])
        for replica in 0..<3 {
            let spend = try deployment.send(replica, "GET", "/v1/spend/summary", key: deployment.admin)
            #expect(spend.status == 200)
            let requests = try JSONSupport.object(spend.body)["requests"] as? Int
            #expect(requests == 3_000, "replica \(replica) sums every shard: \(spend.text.prefix(200))")
        }
    }

    @Test func aChangeOnOneReplicaIsServedByAllWithTheSameETag() throws {
        let deployment = try Deployment()
        defer { deployment.stop() }
        let bundles = try (0..<3).map { try deployment.send($0, "GET", "/v1/bundle", key: deployment.router) }
        let etags = bundles.map { $0.headers["etag"] }
        #expect(Set(etags).count == 1 && etags[0] != nil, "one bundle, one signing key: \(etags)")
        #expect(Set(bundles.map(\.body)).count == 1, "byte-identical bundles")
        let signatures = bundles.map { $0.headers["bursar-signature"] }
        #expect(Set(signatures).count == 1 && signatures[0] != nil, "one signature: \(signatures)")

        // A long poll held on replica 3 hears of a budget crossed by ingest on replica 1.
        let created = try deployment.send(0, "PUT", "/v1/budgets/tiny", key: deployment.admin,
                                          body: Array(#"{"period":"day","limit_usd":"0.0001","action":"block"}"#.utf8))
        #expect(created.status == 201)
        var withBudget = etags[0]
        let followed = try eventually {
            withBudget = try deployment.send(2, "GET", "/v1/bundle", key: deployment.router).headers["etag"]
            return withBudget != etags[0]
        }
        #expect(followed, "replica 3 serves the budget created on replica 1")
        let poll = deployment.replicas[2].connection()
        try poll.begin("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(deployment.router)", "If-None-Match": withBudget ?? "",
                                                      "Prefer": "wait=20"])
        // Held on replica 3 before the events go to replica 1.
        let held = try eventually {
            try deployment.send(2, "GET", "/metrics", key: deployment.admin).text.contains("bursar_bundle_long_polls_held 1")
        }
        #expect(held)
        let started = ContinuousClock.now
        #expect(try deployment.send(0, "POST", "/v1/events", key: deployment.router, body: Self.batch(1)).status == 200)
        let answer = try poll.receive()
        let waited = ContinuousClock.now - started
        #expect(answer.status == 200)
        let budgets = try JSONSupport.object(answer.body)["budgets"] as? [[String: Any]]
        #expect(budgets?.first?["state"] as? String == "exceeded")
        print("a budget crossed on replica 1 reached the long poll on replica 3 in \(waited)")
        #expect(waited < .seconds(2), "the crossing reached replica 3's long poll in \(waited)")

        // A policy activated on replica 2 is served by all three, byte for byte.
        let source = try String(contentsOfFile: ServerProcess.packageRoot.path + "/policies/default.yaml", encoding: .utf8)
            .replacingOccurrences(of: "name: default", with: "name: replicated")
        let uploaded = try deployment.send(1, "POST", "/v1/policies", key: deployment.admin, headers: ["Content-Type": "application/yaml"],
                                           body: Array(source.utf8))
        #expect(uploaded.status == 201, "\(uploaded.text.prefix(300))")
        let inactive = try #require(try JSONSupport.object(uploaded.body)["revision"] as? String)
        let activated = try deployment.send(1, "POST", "/v1/policies/\(inactive)/activate", key: deployment.admin,
                                            body: Array(#"{"reason":"replica test"}"#.utf8))
        #expect(activated.status == 200, "\(activated.text.prefix(200))")
        var served: [String?] = []
        let converged = try eventually(within: 5) {
            served = try (0..<3).map { try deployment.send($0, "GET", "/v1/bundle", key: deployment.router).headers["etag"] }
            return Set(served).count == 1 && served[0] != withBudget
        }
        #expect(converged, "every replica serves the new policy: \(served)")
        let audit = try JSONSupport.object(try deployment.send(2, "GET", "/v1/audit?target=policies", key: deployment.admin).body)
        let activations = (audit["entries"] as? [[String: Any]])?.filter { $0["action"] as? String == "policy.activate" && ($0["target"] as? String)?.hasSuffix(inactive) == true }
        #expect(activations?.count == 1, "the activation is audited once")
    }

    /// A key revoked on one replica is refused by all within a second (each forgets its cached
    /// keys when told, and keeps none longer than a second); a catalog stored on one replica is
    /// what the others price events with.
    @Test func aKeyRevokedOrAPriceChangedOnOneReplicaHoldsOnAllWithinASecond() throws {
        let deployment = try Deployment()
        defer { deployment.stop() }
        let made = try deployment.send(0, "POST", "/v1/keys", key: deployment.admin, body: Array(#"{"name":"edge-2","role":"router"}"#.utf8))
        #expect(made.status == 201, "\(made.text.prefix(200))")
        let secret = try #require(try JSONSupport.object(made.body)["key"] as? String)
        for replica in 0..<3 {
            #expect(try deployment.send(replica, "GET", "/v1/bundle", key: secret).status == 200, "the key works (and is cached) on \(replica)")
        }
        #expect((200..<300).contains(try deployment.send(0, "DELETE", "/v1/keys/edge-2", key: deployment.admin).status))
        Self.sleep(until: ContinuousClock.now + .milliseconds(1_200))
        for replica in 0..<3 {
            #expect(try deployment.send(replica, "GET", "/v1/bundle", key: secret).status == 401, "refused on replica \(replica + 1)")
        }

        let catalog = #"{"prices":[{"provider":"openai","model":"gpt-4o-mini","input":"1000.00","output":"0","effective_from":"2020-01-01"}]}"#
        let stored = try deployment.send(0, "PUT", "/v1/prices", key: deployment.admin, body: Array(catalog.utf8))
        #expect((200..<300).contains(stored.status), "\(stored.text.prefix(200))")
        Self.sleep(until: ContinuousClock.now + .milliseconds(1_200))
        for replica in 1..<3 {
            #expect(try deployment.send(replica, "POST", "/v1/events", key: deployment.router, body: Self.batch("priced-\(replica)", size: 1)).status == 200)
        }
        // 1,000 input tokens at $1,000 per 1M: $1 each, on whichever replica priced them.
        let spend = try JSONSupport.object(try deployment.send(0, "GET", "/v1/spend/summary", key: deployment.admin).body)
        #expect(spend["requests"] as? Int == 2)
        #expect((spend["cost_usd"] as? String).flatMap { Money(decimal: $0) } == Money(nanos: 2_000_000_000), "\(spend)")
    }

    /// Webhooks are delivered by the one replica holding the lease, each alert once; when that
    /// replica is SIGKILLed, PostgreSQL ends its session and another takes over within seconds.
    @Test func oneReplicaDeliversEachAlertOnceAndAnotherTakesOverWhenItIsKilled() throws {
        let receiver = RecordingReceiver()
        let (listener, port) = try receiver.serve()
        defer { listener.stop() }
        let deployment = try Deployment(arguments: ["--alert-webhook", "http://127.0.0.1:\(port)/hook"])
        defer { deployment.stop() }
        func cross(_ budget: String, via replica: Int) throws {
            let created = try deployment.send(replica, "PUT", "/v1/budgets/\(budget)", key: deployment.admin, body: Array(
                #"{"scope":{"feature":"\#(budget)"},"period":"day","limit_usd":"0.0001","action":"alert"}"#.utf8))
            #expect(created.status == 201, "\(created.text.prefix(200))")
            let events = Self.batch(budget, size: 1, extra: [("feature", .string(budget))])
            #expect(try deployment.send(replica, "POST", "/v1/events", key: deployment.router, body: events).status == 200)
        }
        let database = try PostgresDatabase(url: deployment.url)
        func tallies() throws -> (pending: Int, delivered: Int) {
            let tally = try database.webhookTallies().first
            return (tally?.pending ?? -1, tally?.delivered ?? -1)
        }
        func deliveries(_ budget: String) -> Int {
            receiver.received.withLock { bodies in
                bodies.count { (try? JSONSupport.object(Array($0.utf8)))?["budget"] as? String == budget }
            }
        }
        try cross("first", via: 0)
        #expect(eventually(within: 20) { deliveries("first") >= 1 }, "the alert is delivered")
        let holders = try deployment.leaseHolders()
        #expect(holders.count == 1, "one replica holds the lease: \(holders)")
        // A second alert; once the database marks both delivered (none pending), no replica
        // has anything to deliver again: a second copy could only have come before.
        try cross("second", via: 2)
        #expect(eventually(within: 20) { deliveries("second") >= 1 })
        #expect(try eventually { try tallies() == (pending: 0, delivered: 2) }, "both marked delivered")
        #expect(deliveries("first") == 1 && deliveries("second") == 1, "each alert delivered once: \(receiver.received.withLock { $0 })")

        let holder = try #require(holders.first)
        deployment.replicas[holder].kill()
        let killed = ContinuousClock.now
        let survivor = holder == 0 ? 1 : 0
        try cross("third", via: survivor)
        #expect(eventually(within: 20) { deliveries("third") >= 1 }, "another replica delivers once the holder is killed")
        print("the lease moved and the next alert was delivered \(ContinuousClock.now - killed) after its holder was SIGKILLed")
        #expect(try eventually { try tallies() == (pending: 0, delivered: 3) }, "marked delivered")
        #expect(deliveries("third") == 1, "delivered once")
        try deployment.restart(holder)
        let after = try deployment.leaseHolders()
        #expect(after.count == 1 && after != [holder], "one survivor holds it, not the restarted replica: \(after)")
    }

    /// Routers send at once through all three replicas into the same rollup rows; one replica
    /// is SIGKILLed with batches in flight, and what it did not answer is sent to another (as
    /// routers retry). Every event is then stored once and the rows equal a recomputation.
    @Test func batchesInFlightThroughAKilledReplicaAreStoredOnceAndSharedRowsSumExactly() throws {
        let deployment = try Deployment()
        defer { deployment.stop() }
        let senders = 6, batches = 25, size = 40
        let acknowledged = Locked(0)
        let unanswered = Locked(0)
        let killed = Atomic<Bool>(false)
        let group = DispatchGroup()
        let ports = deployment.replicas.map(\.port)
        let router = deployment.router
        for sender in 0..<senders {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for number in 0..<batches {
                    let body = Self.batch("s\(sender)-b\(number)", size: size)
                    var target = sender % 3
                    for _ in 0..<20 {
                        if target == 1, killed.load(ordering: .acquiring) { target = 2 }
                        let connection = HTTPConnection(host: "127.0.0.1", port: ports[target])
                        let reply = try? connection.send("POST", "/v1/events", headers: ["Authorization": "Bearer \(router)", "Content-Type": "application/json"],
                                                         body: body)
                        if reply?.status == 200 {
                            acknowledged.withLock { $0 += 1 }
                            break
                        }
                        if target == 1 { unanswered.withLock { $0 += 1 } }
                        target = target == 1 ? 2 : target
                        Thread.sleep(forTimeInterval: 0.1)
                    }
                }
            }
        }
        #expect(eventually(within: 60) { acknowledged.withLock { $0 } >= senders * batches / 3 })
        deployment.replicas[1].kill()
        killed.store(true, ordering: .releasing)
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(acknowledged.withLock { $0 } == senders * batches, "every batch acknowledged by some replica")
        print("replica 2 was SIGKILLed under load; \(unanswered.withLock { $0 }) requests to it went unanswered and were sent again elsewhere")
        try deployment.restart(1)

        let database = try PostgresDatabase(url: deployment.url)
        #expect(try database.eventCount() == senders * batches * size)
        #expect(try database.rollupDiscrepancies() == [])
        for replica in 0..<3 {
            let spend = try JSONSupport.object(try deployment.send(replica, "GET", "/v1/spend/summary", key: deployment.admin).body)
            #expect(spend["requests"] as? Int == senders * batches * size, "replica \(replica + 1) sums every shard")
        }
    }
}
