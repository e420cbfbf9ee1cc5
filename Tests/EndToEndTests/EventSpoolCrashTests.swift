import BursarClient
import BursarCore
import BursarTesting
import Foundation
import Testing

/// What a crash can leave in the shipper's spool folder, and that nothing is glued, skipped or
/// counted twice after it.
@Suite(.serialized) struct EventSpoolCrashTests {
    func line(_ id: String) -> String {
        String(decoding: RouterSDKTests.event(id).json.serialized(), as: UTF8.self)
    }

    func shipAndCount(_ spool: String, _ ids: [String], server: ServerProcess, key: String) throws -> EventShipper.Statistics {
        let shipper = try EventShipper(configuration: EventShipper.Configuration(
            endpoint: try BursarEndpoint(url: "http://127.0.0.1:\(server.port)", key: key), spoolDirectory: spool))
        for id in ids { shipper.ship(RouterSDKTests.event(id)) }
        #expect(shipper.flush(timeout: 20))
        let statistics = shipper.statistics
        shipper.close()
        return statistics
    }

    @Test func aLineCutShortByACrashIsDroppedNotGluedToTheNext() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let keys = try RouterSDKTests.keys(directory + "/bursar.db")
        let server = try ServerProcess(database: directory + "/bursar.db")
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let spool = directory + "/spool"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let partial = String(line("cut-1").prefix(25))
        try Data((line("kept-1") + "\n" + partial).utf8).write(to: URL(fileURLWithPath: spool + "/events.ndjson"))
        let statistics = try shipAndCount(spool, ["after-1", "after-2"], server: server, key: keys.router)
        #expect(statistics.accepted == 3 && statistics.rejected == 0, "\(statistics)")
    }

    @Test func anOffsetLeftWithoutItsLinesDoesNotSkipLaterOnes() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let keys = try RouterSDKTests.keys(directory + "/bursar.db")
        let spool = directory + "/spool"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        // A crash between removing the lines and removing their offset.
        try Data("1000000".utf8).write(to: URL(fileURLWithPath: spool + "/events.offset"))
        // Bursar down: the next events go to the spool; then the router restarts.
        let down = try EventShipper(configuration: EventShipper.Configuration(
            endpoint: try BursarEndpoint(url: "http://127.0.0.1:9", key: keys.router), spoolDirectory: spool))
        down.ship(RouterSDKTests.event("spooled-1"))
        down.ship(RouterSDKTests.event("spooled-2"))
        down.close(timeout: 1)
        #expect(FileManager.default.fileExists(atPath: spool + "/events.ndjson"))
        let server = try ServerProcess(database: directory + "/bursar.db")
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        let statistics = try shipAndCount(spool, [], server: server, key: keys.router)
        #expect(statistics.accepted == 2, "\(statistics)")
    }
}

/// The shipper's flush and close say what they did.
@Suite(.serialized) struct EventShipperFlushTests {
    @Test func flushSendsAtOnceWhateverTheBatchAge() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let keys = try RouterSDKTests.keys(directory + "/bursar.db")
        let server = try ServerProcess(database: directory + "/bursar.db")
        defer { #expect(server.terminate() == 0, "the server stopped cleanly") }
        var configuration = EventShipper.Configuration(endpoint: try BursarEndpoint(url: "http://127.0.0.1:\(server.port)", key: keys.router))
        configuration.maximumAgeSeconds = 3600
        let shipper = try EventShipper(configuration: configuration)
        shipper.ship(RouterSDKTests.event("flushed-1"))
        #expect(shipper.flush(timeout: 5))
        #expect(shipper.statistics.accepted == 1)
        shipper.close()
    }

    @Test func closingWithoutASpoolCountsWhatItCouldNotSend() throws {
        let directory = RouterSDKTests.temporaryDirectory()
        let keys = try RouterSDKTests.keys(directory + "/bursar.db")
        var configuration = EventShipper.Configuration(endpoint: try BursarEndpoint(url: "http://127.0.0.1:9", key: keys.router))
        configuration.maximumAgeSeconds = 3600
        let shipper = try EventShipper(configuration: configuration)
        for index in 0..<5 { shipper.ship(RouterSDKTests.event("lost-\(index)")) }
        shipper.close(timeout: 0.5)
        #expect(shipper.statistics.dropped == 5)
    }
}
