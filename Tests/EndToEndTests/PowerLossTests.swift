import Locking
import BursarCore
import BursarSQLite
import BursarStorage
import BursarTesting
import CPowerLoss
import Foundation
import Testing

/// Power lost under ingest. A test VFS keeps each database file as it was at its last sync;
/// the copy taken at the cut is what the machine would find on restart. Every event
/// acknowledged before the cut must be in it, once, with rollups equal to a recomputation.
/// The same cut with `synchronous=NORMAL` loses acknowledged events, so the test can tell.
@Suite(.serialized) struct PowerLossTests {
    struct Cut {
        var acknowledged: Set<String>
        var stored: [String]
        var rollupDiscrepancies: Int

        var lost: Set<String> { acknowledged.subtracting(stored) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Three clients send events until `events` are acknowledged; then the power is cut, and
    /// what survived is opened as a restarted server would open it.
    static func cutPowerUnderIngest(durability: SQLiteDatabase.Durability, events: Int = 3_000) throws -> Cut {
        guard power_loss_install() == 0 else { throw Failure(description: "the power-loss VFS could not be registered") }
        let directory = RouterSDKTests.temporaryDirectory()
        let survived = directory + "-after-power-loss"
        defer {
            for path in [directory, directory + ".durable", survived] { try? FileManager.default.removeItem(atPath: path) }
        }
        guard power_loss_watch(directory) == 0 else { throw Failure(description: "cannot watch \(directory)") }
        let app = try TestApp(path: directory + "/bursar.db", durability: durability, now: TestClock.midPeriod)
        let time = Timestamp.format(app.clock.now())
        /// Ids acknowledged before the cut; none counted once the cut has begun.
        let ledger = Locked<(cut: Bool, acknowledged: Set<String>)>((false, []))
        let stopped = Locked(false)
        let clients = DispatchGroup()
        for client in 0..<3 {
            clients.enter()
            Thread.detachNewThread {
                defer { clients.leave() }
                var batch = 0
                while !stopped.withLock({ $0 }) {
                    batch += 1
                    let ids = (0..<50).map { "c\(client)-b\(batch)-e\($0)" }
                    let response = app.postEvents(ids.map { EventJSON.event($0, time: time, extra: [("user", .string("u\(client)"))]) })
                    if response.status == 200 {
                        ledger.withLock { if !$0.cut { $0.acknowledged.formUnion(ids) } }
                    }
                }
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while ledger.withLock({ $0.acknowledged.count }) < events, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        let acknowledged = ledger.withLock { ledger in
            ledger.cut = true
            return ledger.acknowledged
        }
        let files = power_loss_cut(directory, survived)
        stopped.withLock { $0 = true }
        clients.wait()
        guard acknowledged.count >= events else { throw Failure(description: "only \(acknowledged.count) events acknowledged in 60 s") }
        guard files > 0 else { throw Failure(description: "nothing was ever synced (\(files))") }

        let restarted = try SQLiteDatabase(path: survived + "/bursar.db")
        return Cut(acknowledged: acknowledged, stored: try restarted.eventIDs(source: "test-router"),
                   rollupDiscrepancies: try restarted.rollupDiscrepancies().count)
    }

    @Test func everyEventAcknowledgedBeforeThePowerCutIsThereAfterIt() throws {
        // Enough events for several checkpoints (every 250 ms) and restarts of the log.
        let cut = try Self.cutPowerUnderIngest(durability: .full, events: 12_000)
        #expect(cut.lost.isEmpty, "\(cut.lost.count) of \(cut.acknowledged.count) acknowledged events lost")
        #expect(cut.rollupDiscrepancies == 0)
        print("power cut: \(cut.acknowledged.count) acknowledged events, all present; \(cut.stored.count) stored")
    }

    /// The control: without a sync at each commit, the last commits before the cut are lost
    /// (the database stays consistent). If this ever passed with nothing lost, the test above
    /// would prove nothing.
    @Test func withoutSyncingEachCommitTheSameCutLosesAcknowledgedEvents() throws {
        var lost = 0
        for _ in 0..<3 where lost == 0 {
            let cut = try Self.cutPowerUnderIngest(durability: .normal)
            lost = cut.lost.count
            #expect(cut.rollupDiscrepancies == 0, "consistent, if not durable")
        }
        #expect(lost > 0, "synchronous=NORMAL lost nothing: the power cut does not drop unsynced writes")
    }
}
