import Locking
import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// However long viewer and admin requests take, health checks and bundle polls keep answering:
/// those requests run on threads of their own, not the server's.
@Suite struct SlowRequestTests {
    /// A valid policy of about 2,000 lines whose rules all differ from the other letter's.
    static func policy(_ letter: String) -> String {
        var text = TestPolicies.twoTiers(name: "long-\(letter)") + "rules:\n"
        for index in 0..<650 {
            text += "  - id: \(letter)\(index)\n    when: {intent: [\(letter)-intent-\(index)]}\n    tier: frontier\n"
        }
        return text
    }

    @Test func healthAndBundleAnswerWhileSlowRequestsRun() throws {
        let live = try LiveServer(app: TestApp())
        var revisions: [String] = []
        for letter in ["a", "b"] {
            let created = try live.connection().send("POST", "/v1/policies", headers: [
                "Authorization": "Bearer \(live.app.adminKey)", "Content-Type": "application/yaml"], body: Array(Self.policy(letter).utf8))
            #expect(created.status == 201)
            revisions.append(try #require(try JSONSupport.object(created.body)["revision"] as? String))
        }
        // Six diffs of two 2,000-line policies (the longest diff Bursar works out line by line),
        // on six connections: run on the server's threads, they would hold each one in turn.
        let path = "/v1/policies/\(revisions[0])/diff/\(revisions[1])"
        let finished = Locked<[Date]>([])
        let diffs = (0..<6).map { _ in
            Thread {
                let reply = try? live.connection().send("GET", path,
                                                        headers: ["Authorization": "Bearer \(live.app.viewerKey)"])
                #expect(reply?.status == 200)
                finished.withLock { $0.append(Date()) }
            }
        }
        diffs.forEach { $0.start() }
        #expect(eventually { live.app.api.lanes.reports.running >= 1 }, "the diffs are running when the probes ask")
        let probe = live.connection()
        #expect(try probe.send("GET", "/healthz").status == 200)
        #expect(try probe.send("GET", "/v1/bundle", headers: ["Authorization": "Bearer \(live.app.routerKey)"]).status == 200)
        let answered = Date()
        let deadline = Date().addingTimeInterval(120)
        while finished.withLock({ $0.count }) < 6, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let ends = finished.withLock { $0 }
        #expect(ends.count == 6)
        #expect(ends.allSatisfy { $0 > answered }, "health and bundle answered before any diff ended")
        print("diffs ended \(ends.map { String(format: "%.3f", $0.timeIntervalSince(answered)) }) s after the probes answered")
    }
}
