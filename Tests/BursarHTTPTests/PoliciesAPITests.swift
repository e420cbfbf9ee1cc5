import BursarCore
import BursarHTTP
import BursarServices
import HTTPToolkit
import BursarSQLite
import BursarStorage
import BursarTesting
import Foundation
import Testing

@Suite struct PoliciesAPITests {
    static let policy = TestPolicies.twoTiers(name: "small") + """
        rules:
          - id: hard
            when: {complexity: {at_least: 0.7}}
            tier: frontier
        """

    func submit(_ app: TestApp, _ text: String, activate: Bool = false) -> Response {
        app.send("POST", "/v1/policies\(activate ? "?activate=true" : "")", key: app.adminKey, contentType: "application/yaml",
                 body: Array(text.utf8))
    }

    @Test func versionsAreStoredOnceActivatedAndRolledBack() throws {
        let app = try TestApp()
        let first = submit(app, Self.policy, activate: true)
        #expect(first.status == 201, "\(first.bodyText)")
        let firstRevision = try #require(try JSONSupport.object(first.body)["revision"] as? String)
        #expect(submit(app, Self.policy).status == 200, "the same content is the same version")
        let second = submit(app, Self.policy.replacingOccurrences(of: "0.7", with: "0.8"), activate: true)
        let secondRevision = try #require(try JSONSupport.object(second.body)["revision"] as? String)
        #expect(firstRevision != secondRevision)

        var list = try #require(try app.getJSON("/v1/policies")["policies"] as? [[String: Any]])
        #expect(list.count == 2)
        #expect(list.first { $0["active"] as? Bool == true }?["revision"] as? String == secondRevision)

        let rollback = app.send("POST", "/v1/policies/\(firstRevision.prefix(12))/activate", key: app.adminKey)
        #expect(rollback.status == 200)
        list = try #require(try app.getJSON("/v1/policies")["policies"] as? [[String: Any]])
        #expect(list.first { $0["active"] as? Bool == true }?["revision"] as? String == firstRevision)

        // With a reason: kept in the audit log beside both policies' names.
        let again = app.send("POST", "/v1/policies/\(secondRevision)/activate", key: app.adminKey,
                             body: Array(#"{"reason":"  back to 0.8 after the replay  "}"#.utf8))
        #expect(again.status == 200, "\(again.bodyText)")
        let entries = try #require(try app.getJSON("/v1/audit?target=policies")["entries"] as? [[String: Any]])
        let activation = try #require(entries.first { $0["action"] as? String == "policy.activate" })
        let after = try #require(activation["after"] as? [String: Any])
        #expect(after["reason"] as? String == "back to 0.8 after the replay" && after["name"] as? String == "small", "\(activation)")
        #expect((activation["before"] as? [String: Any])?["active_revision"] as? String == firstRevision)
        #expect((activation["before"] as? [String: Any])?["name"] as? String == "small")
        for (body, field) in [(#"{"reason":42}"#, "reason"), (#"[]"#, nil), (#""x""#, nil), (#"{"reasn":"typo"}"#, "reasn"),
                              (#"{"reason":"a\u0000b"}"#, "reason"), (#"{"reason":"ok \u202Egnp.exe"}"#, "reason"),
                              ("{\"reason\":\"\(String(repeating: "é", count: 2_001))\"}", "reason")] {
            let refused = app.send("POST", "/v1/policies/\(firstRevision)/activate", key: app.adminKey, body: Array(body.utf8))
            #expect(refused.status == 422, "\(body): \(refused.bodyText)")
            let error = try JSONSupport.object(refused.body)["error"] as? [String: Any]
            #expect(error?["field"] as? String == field, "\(body): \(refused.bodyText)")
        }
        #expect(try app.getJSON("/v1/policies/\(secondRevision)")["active"] as? Bool == true, "nothing refused was activated")

        let diff = try app.getJSON("/v1/policies/\(firstRevision)/diff/\(secondRevision)")
        let lines = try #require(diff["lines"] as? [String])
        #expect(lines.contains("-     when: {complexity: {at_least: 0.7}}") && lines.contains("+     when: {complexity: {at_least: 0.8}}"))

        let one = try app.getJSON("/v1/policies/\(firstRevision)")
        #expect((one["policy"] as? [String: Any])?["default_tier"] as? String == "fast")
        #expect(one["source"] as? String == Self.policy)
    }

    @Test func anInvalidPolicyIsRefusedWithItsProblemsAndNothingChanges() throws {
        let app = try TestApp()
        _ = submit(app, Self.policy, activate: true)
        let bad = submit(app, Self.policy.replacingOccurrences(of: "    tier: frontier", with: "    tier: galaxy"), activate: true)
        #expect(bad.status == 422)
        let answer = try JSONSupport.object(bad.body)
        #expect((answer["error"] as? [String: Any])?["field"] as? String == "rules[0].tier")
        let problems = try #require(answer["problems"] as? [[String: Any]])
        #expect(problems.first?["line"] as? Int == 12)
        let list = try #require(try app.getJSON("/v1/policies")["policies"] as? [[String: Any]])
        #expect(list.count == 1 && list[0]["active"] as? Bool == true)
    }

    @Test func rolesAndErrors() throws {
        let app = try TestApp()
        #expect(app.send("POST", "/v1/policies", key: app.viewerKey, contentType: "application/yaml", body: Array(Self.policy.utf8)).status == 403)
        #expect(app.send("POST", "/v1/policies", key: app.adminKey, contentType: "text/plain", body: Array(Self.policy.utf8)).status == 415)
        #expect(app.send("GET", "/v1/policies/0123456789abcdef", key: app.viewerKey).status == 404)
        #expect(app.send("POST", "/v1/policies/0123456789abcdef/activate", key: app.adminKey).status == 404)
        #expect(app.send("GET", "/v1/policies", key: app.routerKey).status == 403)
    }

    @Test func theShippedFilesImportOnceAndDefaultIsActive() throws {
        let app = try TestApp()
        let folder = ServerProcess.packageRoot.appendingPathComponent("policies").path
        let first = try app.database.importPolicyFiles(directory: folder, catalog: nil)
        #expect(first.allSatisfy { $0.created && $0.revision != nil })
        let again = try app.database.importPolicyFiles(directory: folder, catalog: nil)
        #expect(again.allSatisfy { !$0.created })
        #expect(try app.database.activePolicy()?.policy.name == "default")
    }
}

@Suite struct AuditAPITests {
    @Test func everyAdminChangeIsInTheLog() throws {
        let app = try TestApp()
        _ = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml",
                     body: Array(PoliciesAPITests.policy.utf8))
        _ = app.send("PUT", "/v1/prices", key: app.adminKey,
                     body: Array(#"{"prices":[{"provider":"openai","model":"gpt-4o","input":"5","output":"20"}]}"#.utf8))
        try app.database.revokeKey(name: "test-router", actor: "test-admin")
        let entries = try #require(try app.getJSON("/v1/audit")["entries"] as? [[String: Any]])
        let actions = entries.compactMap { $0["action"] as? String }
        for action in ["key.create", "key.revoke", "prices.replace", "policy.create", "policy.activate"] {
            #expect(actions.contains(action), "\(action) in \(actions)")
        }
        let prices = try #require(entries.first { $0["action"] as? String == "prices.replace" && $0["actor"] as? String == "test-admin" })
        #expect(((prices["after"] as? [String: Any])?["prices"] as? [Any])?.count == 1)
        #expect(prices["before"] is [String: Any])
        let keys = try #require(try app.getJSON("/v1/audit?target=keys")["entries"] as? [[String: Any]])
        #expect(!keys.isEmpty && keys.allSatisfy { ($0["target"] as? String)?.hasPrefix("keys/") == true })
        #expect(app.send("GET", "/v1/audit?from=yesterday", key: app.viewerKey).status == 400)
    }
}

@Suite struct BaselineTests {
    @Test func activatingAPolicyMovesTheBaselineToItsFrontierPrimary() throws {
        let app = try TestApp()
        let mini = PoliciesAPITests.policy.replacingOccurrences(of: "{provider: openai, model: gpt-4o}", with: "{provider: openai, model: gpt-4o-mini}")
        _ = app.send("POST", "/v1/policies?activate=true", key: app.adminKey, contentType: "application/yaml", body: Array(mini.utf8))
        #expect(app.prices.current.baselineModel == ModelKey(provider: "openai", model: "gpt-4o-mini"))
    }
}
