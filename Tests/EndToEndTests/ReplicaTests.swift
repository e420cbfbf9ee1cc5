import BursarCore
import BursarHTTPClient
import BursarPostgres
import BursarTesting
import Foundation
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

        init() throws {
            url = try PostgresCluster.started().createDatabase()
            admin = try ServerProcess.run(["keys", "create", "--database", url, "--role", "admin", "--name", "ops"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            router = try ServerProcess.run(["keys", "create", "--database", url, "--role", "router", "--name", "edge"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            replicas = []
            do {
                for _ in 0..<3 { replicas.append(try Self.start(url)) }
            } catch {
                stop()
                throw error
            }
        }

        static func start(_ url: String) throws -> ServerProcess {
            try ServerProcess(arguments: ["serve", "--database", url, "--listen", "127.0.0.1:0", "--quiet"])
        }

        func restart(_ index: Int) throws {
            replicas[index] = try Self.start(url)
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
        let now = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000))
        return JSONValue.array((0..<size).map { EventJSON.event("r\(round)-\($0)", time: now, input: 1_000, output: 100) }).serialized()
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
        let etags = try (0..<3).map { try deployment.send($0, "GET", "/v1/bundle", key: deployment.router).headers["etag"] }
        #expect(Set(etags).count == 1 && etags[0] != nil, "one bundle, one signing key: \(etags)")

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
}
