import BursarClient
import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import Testing

@Suite struct BundleAPITests {
    func bundle(_ app: TestApp, etag: String? = nil, wait: Int? = nil) -> Response {
        var headers = ["Authorization": "Bearer \(app.routerKey)"]
        if let etag { headers["If-None-Match"] = etag }
        if let wait { headers["Prefer"] = "wait=\(wait)" }
        return app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: headers)).wait()
    }

    @Test func etagThen304AndTheSignatureVerifies() throws {
        let app = try TestApp()
        _ = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                     body: Array(PoliciesAPITests.policy.utf8))
        let first = bundle(app)
        #expect(first.status == 200)
        let etag = try #require(first.header("ETag"))
        let body = try JSONSupport.object(first.body)
        let issuedAt = (body["issued_at"] as? String).flatMap { Timestamp.parse($0) } ?? -1
        #expect(etag == "\"\(body["revision"] as? String ?? "")-\(body["serial"] as? Int ?? -1)-\(issuedAt)\"", "the revision and its issue")
        #expect((body["policy"] as? [String: Any])?["name"] as? String == "small")
        #expect(bundle(app, etag: etag).status == 304)
        #expect(bundle(app, etag: etag).header("ETag") == etag)

        let keys = try #require(try app.getJSON("/v1/bundle/keys", key: app.routerKey)["keys"] as? [[String: Any]])
        let publicKey = try #require(keys.first?["public_key"] as? String)
        let signature = try #require(first.header("Bursar-Signature"))
        #expect(signature.hasPrefix("keyid=\(keys.first?["id"] as? String ?? "")"))
        #expect(BundleVerifier.verify(header: signature, body: first.body, publicKeyBase64: publicKey))
        var tampered = first.body
        tampered[tampered.count / 2] ^= 1
        #expect(!BundleVerifier.verify(header: signature, body: tampered, publicKeyBase64: publicKey))
    }

    /// Behind a load balancer a router may hold a newer issue of the same content (another
    /// replica issued it again) than the replica it asks: that replica answers 304 with the
    /// router's ETag (the router would refuse its older issue), and 200 to an older issue.
    @Test func aRouterHoldingANewerIssueOfTheSameContentIsAnswered304() throws {
        let app = try TestApp()
        let first = bundle(app)
        let body = try JSONSupport.object(first.body)
        let revision = try #require(body["revision"] as? String)
        let serial = try #require(body["serial"] as? Int)
        let issuedAt = try #require((body["issued_at"] as? String).flatMap { Timestamp.parse($0) })
        let newer = "\"\(revision)-\(serial)-\(issuedAt + 900_000)\""
        for wait in [nil, 1] as [Int?] {
            let answer = bundle(app, etag: newer, wait: wait)
            #expect(answer.status == 304 && answer.header("ETag") == newer, "wait \(String(describing: wait)): \(answer.status)")
        }
        #expect(bundle(app, etag: "\"\(revision)-\(serial)-\(issuedAt - 1)\"").status == 200, "an older issue gets this one")
        // `*` matches any bundle: answered 304 at once, also when asked to wait (nothing could change it).
        let reply = app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: [
            "Authorization": "Bearer \(app.routerKey)", "If-None-Match": "*", "Prefer": "wait=44"]))
        guard case .response(let any) = reply else {
            Issue.record("If-None-Match: * was held for a change that cannot come")
            return
        }
        #expect(any.status == 304 && any.header("ETag") == first.header("ETag"))
        #expect(bundle(app, etag: "\"\(revision)-\(serial - 1)-\(issuedAt)\"").status == 200, "so does a lower serial at the same time")
        #expect(bundle(app, etag: "\"other-\(serial)-\(issuedAt + 900_000)\"").status == 200, "and another revision")
        #expect(app.api.quickResponse(method: "GET", path: "/v1/bundle", header: { name in
            ["If-None-Match": newer, "Authorization": "Bearer \(app.routerKey)"][name] })?.status == 304, "the 304 fast path too")
    }

    @Test func theBundleIsCanonicalAndItsRevisionFollowsContent() throws {
        let app = try TestApp()
        let first = bundle(app)
        #expect(first.bodyText.hasPrefix("{\"budgets\":[],\"issued_at\":\""), "sorted keys, no whitespace")
        #expect(first.bodyText.contains("\"overrides\":[],\"policy\":null,\"prices\":{"))
        let put = app.send("PUT", "/v1/overrides/ceo", key: app.adminKey,
                           body: Array(#"{"match":{"user":"ceo"},"effect":"force_tier","tier":"frontier"}"#.utf8))
        #expect(put.status == 201)
        let second = bundle(app)
        #expect(second.header("ETag") != first.header("ETag"))
        _ = app.send("DELETE", "/v1/overrides/ceo", key: app.adminKey)
        let third = bundle(app)
        #expect(try JSONSupport.object(third.body)["revision"] as? String == (try JSONSupport.object(first.body)["revision"] as? String),
                "the same content is the same revision")
        #expect(third.header("ETag") != first.header("ETag"), "issued again (a new serial): a new ETag")
    }

    @Test func aLongPollEndsWithAChangeNotItsWait() throws {
        let app = try TestApp()
        let etag = try #require(bundle(app).header("ETag"))
        let reply = app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: [
            "Authorization": "Bearer \(app.routerKey)", "If-None-Match": etag, "Prefer": "wait=60"]))
        guard case .pending(let pending) = reply else { Issue.record("expected the request to wait"); return }
        #expect(app.application.publisher.heldRequests == 1)
        _ = app.send("PUT", "/v1/overrides/x", key: app.adminKey,
                     body: Array(#"{"match":{"team":"legal"},"effect":"max_tier","tier":"standard"}"#.utf8))
        // A 200 with the new revision: the change ended the wait (its end would be a 304).
        let response = pending.wait()
        #expect(response.status == 200 && response.header("ETag") != etag)
        #expect(response.header("Preference-Applied") == "wait=60")
        #expect(app.application.publisher.heldRequests == 0)
    }

    @Test func aLongPollWithNoChangeEndsIn304AfterItsWait() throws {
        let app = try TestApp()
        let etag = try #require(bundle(app).header("ETag"))
        let started = ContinuousClock.now
        let response = bundle(app, etag: etag, wait: 1)
        let waited = ContinuousClock.now - started
        #expect(response.status == 304 && response.header("Preference-Applied") == "wait=1")
        #expect(waited >= .seconds(1), "not before its wait ran out")
        #expect(bundle(app, etag: "\"stale\"", wait: 30).status == 200, "a stale ETag is answered at once")
        let bad = app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: [
            "Authorization": "Bearer \(app.routerKey)", "Prefer": "wait=soon"])).wait()
        #expect(bad.status == 400)
    }

    @Test func anOverrideThatExpiresChangesTheBundleByItself() throws {
        let app = try TestApp(now: TestClock.midPeriod)
        let expires = Timestamp.format(TestClock.midPeriod + 3_600_000)
        _ = app.send("PUT", "/v1/overrides/brief", key: app.adminKey,
                     body: Array(#"{"match":{"user":"u"},"effect":"force_tier","tier":"frontier","expires_at":"\#(expires)"}"#.utf8))
        let withOverride = bundle(app)
        #expect((try JSONSupport.object(withOverride.body)["overrides"] as? [Any])?.count == 1)
        let reply = app.api.respond(to: Request(method: "GET", target: "/v1/bundle", headers: [
            "Authorization": "Bearer \(app.routerKey)", "If-None-Match": withOverride.header("ETag")!, "Prefer": "wait=60"]))
        guard case .pending(let pending) = reply else { Issue.record("expected the request to wait"); return }
        app.clock.advance(seconds: 3_600)  // the hour passes; no request, only the clock
        let response = pending.wait()
        #expect(response.status == 200)
        #expect((try JSONSupport.object(response.body)["overrides"] as? [Any])?.isEmpty == true)
    }
}

/// The bundle carries its serial and issue time, signed with it; the serial grows with every
/// new revision, also across restarts, and a rebuild of the same content keeps it.
@Suite struct BundleIssueTests {
    @Test func serialsGrowWithNewRevisionsAndSurviveRestarts() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("issue-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path, durability: .normal)
        let first = try database.bundleIssue(for: "a", now: 1_000)
        #expect(try database.bundleIssue(for: "a", now: 2_000) == first, "the same revision keeps its serial and time")
        let second = try database.bundleIssue(for: "b", now: 3_000)
        #expect(second.serial == first.serial + 1 && second.issuedAt == 3_000)
        let reopened = try SQLiteDatabase(path: path, durability: .normal)
        #expect(try reopened.bundleIssue(for: "a", now: 4_000).serial == second.serial + 1, "an old revision coming back is a new issue")
    }

    @Test func theSignatureCoversSerialAndIssueTime() throws {
        let app = try TestApp()
        let response = app.send("GET", "/v1/bundle", key: app.routerKey)
        let bundle = try RoutingBundle.parse(response.body)
        #expect(bundle.serial >= 1 && bundle.issuedAt > 0)
        let signature = try #require(response.header("Bursar-Signature"))
        #expect(BundleVerifier.verify(header: signature, body: response.body, publicKeyBase64: app.application.publisher.signer.publicKeyBase64))
        let text = response.bodyText.replacingOccurrences(of: "\"serial\":\(bundle.serial)", with: "\"serial\":\(bundle.serial + 1)")
        #expect(text != response.bodyText)
        #expect(!BundleVerifier.verify(header: signature, body: Array(text.utf8), publicKeyBase64: app.application.publisher.signer.publicKeyBase64))
    }

    @Test func routersOrderBundlesByIssueTimeThenSerial() {
        let held = RoutingBundle(revision: "b", serial: 7, issuedAt: 2_000, policy: nil)
        #expect(BundleClient.isOlder(RoutingBundle(revision: "a", serial: 6, issuedAt: 1_000, policy: nil), than: held), "a replay")
        #expect(BundleClient.isOlder(RoutingBundle(revision: "a", serial: 6, issuedAt: 2_000, policy: nil), than: held), "same time, lower serial")
        #expect(!BundleClient.isOlder(RoutingBundle(revision: "c", serial: 8, issuedAt: 2_000, policy: nil), than: held))
        #expect(!BundleClient.isOlder(RoutingBundle(revision: "c", serial: 1, issuedAt: 9_000, policy: nil), than: held),
                "a restored database: a lower serial, issued later")
        #expect(!BundleClient.isOlder(RoutingBundle(revision: "b", serial: 7, issuedAt: 2_000, policy: nil), than: held), "the same bundle again")
    }
}
