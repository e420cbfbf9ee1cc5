import BursarCore
import BursarStorage
import BursarTesting
import Testing

/// A change reaches the services through the store's change feed alone: a write made straight
/// to the store, with no handler to call anything by hand, is followed at once.
@Suite struct ChangeFeedTests {
    @Test func anOverrideWrittenToTheStoreIsInTheNextBundle() throws {
        let app = try TestApp()
        _ = try app.database.putOverride(Override(id: "straight-in", match: ["team": "legal"], effect: .minTier, tier: "standard",
                                                  expiresAt: nil, reason: "test", author: "test"))
        let bundle = app.send("GET", "/v1/bundle", key: app.routerKey)
        #expect(bundle.status == 200)
        #expect(bundle.bodyText.contains("\"straight-in\""), "\(bundle.bodyText)")
    }

    @Test func aKeyRevokedInTheStoreIsRefusedAtOnce() throws {
        let app = try TestApp()
        #expect(app.send("GET", "/v1/whoami", key: app.viewerKey).status == 200, "the key is known (and cached)")
        let name = try #require(try app.database.listKeys().first { $0.role == .viewer }?.name)
        try app.database.revokeKey(name: name, actor: "test")
        #expect(app.send("GET", "/v1/whoami", key: app.viewerKey).status == 401)
    }

    @Test func pricesWrittenToTheStoreAreInForceAtOnce() throws {
        let app = try TestApp()
        let before = app.prices.current.catalog.version
        let stored = try app.database.addPriceCatalog(TestPrices.catalog, author: "test", origin: "test")
        #expect(stored.version > before)
        #expect(app.prices.current.catalog.version == stored.version)
    }
}
