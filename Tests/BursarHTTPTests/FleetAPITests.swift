import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

@Suite struct FleetAPITests {
    func report(_ app: TestApp, _ body: String) -> Response {
        app.send("POST", "/v1/status", key: app.routerKey, body: Array(body.utf8))
    }

    @Test func statesFromRealStatusPosts() throws {
        let app = try TestApp()
        let current = try #require(try JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body)["revision"] as? String)
        #expect(report(app, #"{"instance_id":"edge-1","applied_revision":"\#(current)","poll_interval_s":30}"#).status == 200)
        #expect(report(app, #"{"instance_id":"edge-2","applied_revision":"old-revision"}"#).status == 200)
        #expect(report(app, #"{"instance_id":"edge-3","applied_revision":"old-revision","attempted_revision":"\#(current)","error":{"code":"bad_signature","message":"signature does not verify"}}"#).status == 200)
        #expect(report(app, #"{"instance_id":"edge-4","applied_revision":"\#(current)","poll_interval_s":1}"#).status == 200)
        app.clock.advance(seconds: 3.2)  // edge-4 has missed three of its 1-second polls
        let fleet = try app.getJSON("/v1/fleet")
        let states = Dictionary(uniqueKeysWithValues: try #require(fleet["instances"] as? [[String: Any]]).map {
            ($0["instance_id"] as! String, $0["state"] as! String)
        })
        #expect(states == ["edge-1": "SYNCED", "edge-2": "STALE", "edge-3": "REJECTED", "edge-4": "SILENT"])
        let rejected = try #require((fleet["instances"] as? [[String: Any]])?.first { $0["instance_id"] as? String == "edge-3" })
        #expect((rejected["error"] as? [String: Any])?["code"] as? String == "bad_signature")
        #expect((fleet["instances"] as? [[String: Any]])?.first?["source"] as? String == "test-router")
    }

    /// The fleet names the policy each instance runs (as the Policies view does) and how far
    /// behind it is, not only a bundle hash.
    @Test func instancesShowThePolicyTheyRunAndHowFarBehindTheyAre() throws {
        let app = try TestApp()
        let submit = { (name: String) throws -> String in
            let response = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                                    body: Array(TestPolicies.twoTiers(name: name).utf8))
            return try #require(try JSONSupport.object(response.body)["revision"] as? String, "\(response.bodyText)")
        }
        let cheapRevision = try submit("cheap-first")
        let bundleRevision = { try #require(try JSONSupport.object(app.send("GET", "/v1/bundle", key: app.routerKey).body)["revision"] as? String) }
        let old = try bundleRevision()
        #expect(report(app, #"{"instance_id":"edge-old","applied_revision":"\#(old)"}"#).status == 200)
        app.clock.advance(seconds: 60)
        let carefulRevision = try submit("careful-second")
        let current = try bundleRevision()
        #expect(current != old)
        #expect(report(app, #"{"instance_id":"edge-new","applied_revision":"\#(current)"}"#).status == 200)

        let fleet = try app.getJSON("/v1/fleet")
        #expect((fleet["current_policy"] as? [String: Any])?["name"] as? String == "careful-second")
        #expect((fleet["current_policy"] as? [String: Any])?["revision"] as? String == carefulRevision)
        let instances = Dictionary(uniqueKeysWithValues: try #require(fleet["instances"] as? [[String: Any]]).map { ($0["instance_id"] as! String, $0) })
        let behind = try #require(instances["edge-old"])
        #expect((behind["applied_policy"] as? [String: Any])?["name"] as? String == "cheap-first")
        #expect((behind["applied_policy"] as? [String: Any])?["revision"] as? String == cheapRevision)
        #expect(behind["revisions_behind"] as? Int == (fleet["current_serial"] as? Int ?? 0) - (behind["applied_serial"] as? Int ?? 0))
        #expect((behind["revisions_behind"] as? Int ?? 0) >= 1)
        #expect(behind["behind_since"] as? String != nil)
        let synced = try #require(instances["edge-new"])
        #expect((synced["applied_policy"] as? [String: Any])?["name"] as? String == "careful-second")
        #expect(synced["revisions_behind"] as? Int == 0 && synced["behind_since"] is NSNull)
    }

    @Test(arguments: [(#"{"applied_revision":"x"}"#, 422, "instance_id"), (#"{"instance_id":"a","poll_interval_s":0}"#, 422, "poll_interval_s"),
                      (#"{"instance_id":"#, 400, nil)])
    func badReportsAreRefused(body: String, status: Int, field: String?) throws {
        let app = try TestApp()
        let response = report(app, body)
        #expect(response.status == status)
        #expect((try JSONSupport.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
    }
}
