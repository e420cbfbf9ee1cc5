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

    @Test func reportsAreBoundedInBytesAndInstancesAndTheFleetIsReadByPage() throws {
        let app = try TestApp()
        let longCode = report(app, #"{"instance_id":"e","error":{"code":"\#(String(repeating: "c", count: 65))","message":"m"}}"#)
        #expect(longCode.status == 422 && longCode.bodyText.contains(#""field":"error.code""#), "\(longCode.bodyText)")
        // Three graphemes of 4,000 bytes each (a letter and 1,999 combining marks) once passed a 1,000-Character cut.
        let grapheme = "a" + String(repeating: "\u{301}", count: 1_999)
        #expect(report(app, #"{"instance_id":"e","error":{"code":"x","message":"\#(String(repeating: grapheme, count: 3))"}}"#).status == 200)
        let stored = try #require((try app.getJSON("/v1/fleet")["instances"] as? [[String: Any]])?.first)
        let message = try #require((stored["error"] as? [String: Any])?["message"] as? String)
        #expect(message.utf8.count <= 1_000 && message.utf8.count >= 998, "\(message.utf8.count) bytes kept")
        // One source keeps its 1,000 most recent instances.
        for index in 0..<(RouterStatus.maximumInstancesPerSource + 5) {
            #expect(report(app, #"{"instance_id":"i\#(String(format: "%04d", index))"}"#).status == 200)
            app.clock.advance(seconds: 0.001)
        }
        var seen: [String] = []
        var target = "/v1/fleet?limit=300"
        while true {
            let page = try app.getJSON(target)
            let instances = try #require(page["instances"] as? [[String: Any]])
            #expect(instances.count <= 300)
            seen += instances.map { $0["instance_id"] as! String }
            guard let next = page["next"] as? String else { break }
            target = "/v1/fleet?limit=300&after=\(next)"
        }
        #expect(seen.count == RouterStatus.maximumInstancesPerSource && Set(seen).count == seen.count)
        #expect(!seen.contains("e") && !seen.contains("i0004") && seen.contains("i0005") && seen.contains("i1004"), "the least recently heard from went first")
        #expect(app.send("GET", "/v1/fleet?limit=1001", key: app.viewerKey).status == 400)
        #expect(app.send("GET", "/v1/fleet?after=zz", key: app.viewerKey).status == 400)
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
