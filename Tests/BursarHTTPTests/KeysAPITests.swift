import BursarCore
import BursarHTTP
import HTTPToolkit
import BursarTesting
import Foundation
import Testing

/// The admin screens' API: keys made, listed and revoked; price versions; alert webhooks.
@Suite struct KeysAPITests {
    func create(_ app: TestApp, _ body: String, key: String? = nil) -> Response {
        app.send("POST", "/v1/keys", key: key ?? app.adminKey, body: Array(body.utf8))
    }

    @Test func aKeyMadeHereWorksAtOnceIsListedWithoutItsSecretAndStopsWhenRevoked() throws {
        let app = try TestApp()
        let response = create(app, #"{"name":"finance","role":"viewer"}"#)
        #expect(response.status == 201, "\(response.bodyText)")
        #expect(response.header("Cache-Control") == "no-store")
        let created = try JSONSupport.object(response.body)
        let secret = try #require(created["key"] as? String)
        #expect(created["role"] as? String == "viewer" && created["sources"] is NSNull)
        #expect(app.send("GET", "/v1/spend/summary", key: secret).status == 200)

        let listed = try #require(try app.getJSON("/v1/keys", key: app.adminKey)["keys"] as? [[String: Any]])
        let finance = try #require(listed.first { $0["name"] as? String == "finance" })
        #expect(finance["key"] == nil && finance["revoked_at"] is NSNull)
        #expect(!String(decoding: app.send("GET", "/v1/keys", key: app.adminKey).body, as: UTF8.self).contains(secret))

        #expect(app.send("DELETE", "/v1/keys/finance", key: app.adminKey).status == 204)
        #expect(app.send("GET", "/v1/spend/summary", key: secret).status == 401, "revoked keys stop at once, not after the cache's second")
        let audit = try #require(try app.getJSON("/v1/audit?target=keys/finance")["entries"] as? [[String: Any]])
        #expect(Set(audit.compactMap { $0["action"] as? String }) == ["key.create", "key.revoke"])
    }

    @Test func aRouterKeyKeepsItsSourcesAndNamesAreUniqueAmongActiveKeys() throws {
        let app = try TestApp()
        let router = try JSONSupport.object(create(app, #"{"name":"edge","role":"router","sources":"edge,eu-*"}"#).body)
        #expect(router["sources"] as? String == "edge,eu-*")
        let again = create(app, #"{"name":"edge","role":"viewer"}"#)
        #expect(again.status == 409)
        #expect((try JSONSupport.object(again.body)["error"] as? [String: Any])?["field"] as? String == "name")
    }

    @Test(arguments: [(#"{"role":"viewer"}"#, "name"), (#"{"name":"","role":"viewer"}"#, "name"), (#"{"name":"x","role":"owner"}"#, "role"),
                      (#"{"name":"x","role":"viewer","sources":"a"}"#, "sources"), (#"{"name":"x","role":"router","sources":"a,,b"}"#, "sources"),
                      (#"{"name":"x","role":"viewer","colour":"red"}"#, "colour"), (#"{"name":"a/b","role":"viewer"}"#, "name")])
    func badKeysAreRefusedNamingTheField(body: String, field: String) throws {
        let app = try TestApp()
        let response = create(app, body)
        #expect(response.status == 422)
        #expect((try JSONSupport.object(response.body)["error"] as? [String: Any])?["field"] as? String == field)
    }

    @Test func theLastAdminKeyCannotBeRevokedAndOnlyAdminsManageKeys() throws {
        let app = try TestApp()
        let admins = try #require(try app.getJSON("/v1/keys", key: app.adminKey)["keys"] as? [[String: Any]]).filter { $0["role"] as? String == "admin" }
        let name = try #require(admins.first?["name"] as? String)
        #expect(admins.count == 1)
        let refused = app.send("DELETE", "/v1/keys/\(name)", key: app.adminKey)
        #expect(refused.status == 409 && refused.bodyText.contains("last active admin key"))
        #expect(app.send("GET", "/v1/keys", key: app.viewerKey).status == 403)
        #expect(create(app, #"{"name":"sneaky","role":"admin"}"#, key: app.viewerKey).status == 403)
        #expect(app.send("DELETE", "/v1/keys/nobody", key: app.adminKey).status == 404)
    }

    @Test func everyPriceVersionIsListedAndReadable() throws {
        let app = try TestApp()
        let body = #"{"prices":[{"provider":"openai","model":"gpt-4o","input":"5.00","output":"20"}]}"#
        #expect(app.send("PUT", "/v1/prices", key: app.adminKey, body: Array(body.utf8)).status == 200)
        let versions = try #require(try app.getJSON("/v1/prices/versions")["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? Int } == [2, 1])
        #expect(versions.first?["prices"] as? Int == 1 && versions.first?["origin"] as? String == "api")
        let first = try app.getJSON("/v1/prices?version=1")
        #expect((first["prices"] as? [[String: Any]])?.count ?? 0 > 1)
        #expect(app.send("GET", "/v1/prices?version=7", key: app.viewerKey).status == 404)
        #expect(app.send("GET", "/v1/prices?version=x", key: app.viewerKey).status == 400)
    }

    @Test func theAlertWebhooksAreListedWithTheirDeliveries() throws {
        let app = try TestApp(alertWebhooks: ["https://alerts.example.com/bursar"])
        #expect(app.send("GET", "/v1/alerts/webhooks", key: app.viewerKey).status == 403, "a webhook's URL often holds a secret")
        let hooks = try #require(try app.getJSON("/v1/alerts/webhooks", key: app.adminKey)["webhooks"] as? [[String: Any]])
        #expect(hooks.count == 1)
        #expect(hooks.first?["url"] as? String == "https://alerts.example.com/bursar")
        #expect(hooks.first?["pending"] as? Int == 0 && hooks.first?["delivered"] as? Int == 0 && hooks.first?["given_up"] as? Int == 0)
    }
}
