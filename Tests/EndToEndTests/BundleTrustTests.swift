import BursarClient
import BursarCore
import BursarServices
import BursarTesting
import Foundation
import Testing

/// A router trusts only bundles signed by the key it pins (or learned on first contact and
/// cached with the bundle), from the network and from its own disk alike.
@Suite struct BundleTrustTests {
    func client(_ live: LiveServer?, instance: String, cache: String?, publicKey: String? = nil) throws -> BundleClient {
        let url = live.map { "http://127.0.0.1:\($0.port)" } ?? "http://127.0.0.1:9"  // the discard port: nobody answers
        var configuration = BundleClient.Configuration(endpoint: try BursarEndpoint(url: url, key: live?.app.routerKey ?? "bsr_none"),
                                                       instanceID: instance, cacheDirectory: cache, publicKey: publicKey)
        configuration.waitSeconds = 1
        return BundleClient(configuration: configuration)
    }

    /// A wait of any length a caller passes is a wait, never a trap: infinity and NaN included.
    @Test func anyTimeoutIsAWaitNeverATrap() throws {
        let endpoint = try BursarEndpoint(url: "http://127.0.0.1:9", key: "bsr_none")
        let router = BundleClient(configuration: BundleClient.Configuration(endpoint: endpoint, instanceID: "timeouts"))
        #expect(!router.wait(timeout: .nan) { _ in true }, "no bundle, and no wait")
        #expect(!router.wait(timeout: -.infinity) { _ in true })
        let shipper = try EventShipper(configuration: EventShipper.Configuration(endpoint: endpoint))
        #expect(shipper.flush(timeout: .infinity), "nothing to send: flushed at once")
        shipper.close(timeout: .nan)
    }

    /// The SDK tells the time by the clock it is given: moved past the bundle's signed
    /// `stale_after`, the bundle in use is stale, with no wait.
    @Test func staleIsDecidedByTheInjectedClock() throws {
        let live = try LiveServer(app: TestApp())
        var configuration = BundleClient.Configuration(endpoint: try BursarEndpoint(url: "http://127.0.0.1:\(live.port)", key: live.app.routerKey),
                                                       instanceID: "clocked")
        let clock = TestClock(fixed: WallClock.system())
        configuration.clock = clock.clock
        let router = BundleClient(configuration: configuration)
        router.start()
        defer { router.stop() }
        #expect(router.wait(timeout: 10) { $0.origin == .server })
        let staleAfter = try #require(router.snapshot?.bundle.staleAfter)
        #expect(!router.isStale)
        clock.advance(seconds: Double(staleAfter - clock.now()) / 1000 + 1)
        #expect(router.isStale, "past stale_after on the injected clock")
    }

    @Test func aPinnedKeyOtherThanTheServersRefusesEveryBundle() throws {
        let live = try LiveServer(app: TestApp())
        let someoneElse = BundleSigner.ephemeral().publicKeyBase64
        let router = try client(live, instance: "pinned-elsewhere", cache: nil, publicKey: someoneElse)
        router.start()
        defer { router.stop() }
        #expect(eventually { router.rejectedCount >= 1 })
        #expect(router.snapshot == nil, "no bundle signed by another key is ever used")
        #expect(router.lastError?.contains("signature") == true, "\(router.lastError ?? "")")
        // The same server's bundles, pinned to its own key, are taken.
        let trusting = try client(live, instance: "pinned-right", cache: nil, publicKey: live.app.application.publisher.signer.publicKeyBase64)
        trusting.start()
        defer { trusting.stop() }
        #expect(trusting.wait(timeout: 10) { $0.origin == .server })
    }

    @Test func aTamperedCachedBundleIsNotUsedWhenBursarIsDown() throws {
        let cache = RouterSDKTests.temporaryDirectory() + "/router"
        do {
            let live = try LiveServer(app: TestApp())
            let first = try client(live, instance: "edge-cache", cache: cache)
            first.start()
            #expect(first.wait(timeout: 10) { $0.origin == .server })
            first.stop()
        }
        // Untouched, the cached bundle starts a router while Bursar is down.
        let intact = try client(nil, instance: "edge-cache", cache: cache)
        intact.start()
        #expect(intact.wait(timeout: 10) { $0.origin == .disk })
        intact.stop()
        // One byte of the cached bundle changed on disk: refused, and said why.
        let path = cache + "/bundle.json"
        var body = try #require(FileManager.default.contents(atPath: path))
        body[body.count / 2] ^= 0x01
        try body.write(to: URL(fileURLWithPath: path))
        let tampered = try client(nil, instance: "edge-cache", cache: cache)
        tampered.start()
        defer { tampered.stop() }
        // The cache is read first, then Bursar is tried (and found down): both leave an error.
        #expect(eventually { tampered.lastError != nil })
        #expect(tampered.snapshot == nil, "a cached bundle that does not verify is never used")
    }
}
