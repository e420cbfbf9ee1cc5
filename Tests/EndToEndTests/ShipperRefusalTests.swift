@testable import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// The shipper drops only what Bursar will never take: a batch refused whole for what is not
/// every event's fault is sent again in halves.
@Suite struct ShipperRefusalTests {
    @Test func aBatchLargerThanTheServerTakesIsSentInHalvesNotDropped() throws {
        // The server takes bodies of 64 KiB; the shipper's batch of 1,000 events is about 250 KB.
        let live = try LiveServer(app: TestApp(), maximumBodyBytes: 64 * 1024)
        var configuration = EventShipper.Configuration(endpoint: try BursarEndpoint(url: "http://127.0.0.1:\(live.port)", key: live.app.routerKey))
        configuration.batchSize = 1_000
        let shipper = try EventShipper(configuration: configuration)
        for index in 0..<1_000 { shipper.ship(RouterSDKTests.event("big-\(index)")) }
        #expect(shipper.flush(timeout: 30))
        let statistics = shipper.statistics
        shipper.close()
        #expect(statistics.accepted == 1_000 && statistics.rejected == 0 && statistics.dropped == 0, "\(statistics)")
        #expect(try live.app.database.eventCount() == 1_000)
    }

    @Test func onlyARefusalNamingAStoredCounterSplitsABatch() {
        #expect(EventShipper.isRefusedForOthers(Array(#"{"error":{"code":"counter_overflow","message":"m","field":"cost"}}"#.utf8)))
        #expect(!EventShipper.isRefusedForOthers(Array(#"{"error":{"code":"invalid_field","message":"m","field":"time"}}"#.utf8)))
        #expect(!EventShipper.isRefusedForOthers(Array("not json".utf8)))
    }
}
