import Locking
import BursarCore
import BursarStorage
import Dispatch
import Foundation

extension StorageConformance {
    static let lifecycleChecks: [Check] = [
        Check("retention deletes old raw events in batches and keeps their spend in the rollups") { backend in
            try backend.withStore { store in
                let old = (0..<300).map { Fixtures.priced("old-\($0)", time: Fixtures.start - 10 * Fixtures.day + Int64($0) * 1_000, cost: 3) }
                let recent = (0..<100).map { Fixtures.priced("new-\($0)", time: Fixtures.start, cost: 5) }
                try store.store(old + recent)
                let cutoff = Fixtures.start - 5 * Fixtures.day
                try expectEqual(try store.storage.deleteRawEvents(before: cutoff, limit: 200), 200, "one batch of at most 200")
                try expectEqual(try store.storage.deleteRawEvents(before: cutoff, limit: 200), 100, "the rest")
                try expectEqual(try store.storage.deleteRawEvents(before: cutoff, limit: 200), 0, "nothing older is left")
                try expectEqual(try store.storage.eventCount(), 100, "the recent events stay")
                let total = try store.storage.spend(Fixtures.everything()).total
                try expect(total.requests == 400 && total.cost == Money(nanos: 300 * 3 + 100 * 5), "spend still counts every event: \(total)")
                // The ids of deleted events are free again only in the raw table: a resend is a
                // new event there (retention is for events older than any router retries).
                _ = try store.storage.releaseFreePages(1_000)
            }
        },
        Check("room: the data's bytes grow with what is stored, and a cap is what is used plus what is left") { backend in
            try backend.withStore { store in
                let before = try store.storage.room()
                try store.store((0..<2_000).map { Fixtures.priced("room-\($0)", time: Fixtures.start) })
                let after = try store.storage.room()
                try expect(after.usedBytes > before.usedBytes, "stored events take room: \(before.usedBytes) → \(after.usedBytes)")
                if let cap = after.capBytes, let left = after.underCapBytes {
                    try expectEqual(after.usedBytes + left, cap, "under a cap, used and left add up to it")
                }
                try expect(after.shortage == nil, "a new store is not full: \(after)")
            }
        },
        Check("a backup taken while ingest goes on holds everything acknowledged before it, consistently") { backend in
            try backend.withStore { store in
                let acknowledged = Locked<Set<String>>([])
                let stop = Locked(false)
                let finished = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    var round = 0
                    while !stop.withLock({ $0 }) {
                        let batch = (0..<100).map { Fixtures.priced("r\(round)-\($0)", time: Fixtures.start + Int64(round) * 1_000) }
                        if (try? store.store(batch)) != nil { acknowledged.withLock { $0.formUnion(batch.map(\.event.id)) } }
                        round += 1
                    }
                    finished.signal()
                }
                let deadline = Date().addingTimeInterval(30)
                while acknowledged.withLock({ $0.count }) < 500, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
                let before = acknowledged.withLock { $0 }
                let path = backend.backupPath()
                try store.storage.backup(to: path)
                stop.withLock { $0 = true }
                finished.wait()
                try expect(before.count >= 500, "ingest ran before the backup")
                let restored = try backend.openBackup(at: path)
                let ids = Set(try restored.eventIDs(source: "s"))
                try expect(before.isSubset(of: ids), "\(before.subtracting(ids).count) acknowledged events missing from the backup")
                try expect(try restored.rollupDiscrepancies().isEmpty, "the copy is one consistent snapshot")
            }
        },
        Check("a backup is readable by its owner only (0600): it holds the bundle's signing key and every key digest") { backend in
            try backend.withStore { store in
                let path = backend.backupPath()
                try store.storage.backup(to: path)
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
                try expectEqual(mode?.intValue ?? -1, 0o600, "the backup's mode (\(String(mode?.intValue ?? -1, radix: 8)))")
            }
        },
        Check("bundle issues: a serial that grows with each new revision, issue times that never go back") { backend in
            try backend.withStore { store in
                let first = try store.storage.bundleIssue(for: "r1", now: Fixtures.start)
                try expectEqual(first, BundleIssue(revision: "r1", serial: 1, issuedAt: Fixtures.start), "the first revision")
                try expectEqual(try store.storage.bundleIssue(for: "r1", now: Fixtures.start + 5_000), first, "the same revision again")
                let second = try store.storage.bundleIssue(for: "r2", now: Fixtures.start - 60_000)
                try expectEqual(second, BundleIssue(revision: "r2", serial: 2, issuedAt: Fixtures.start), "a clock set back issues no earlier")
                let back = try store.storage.bundleIssue(for: "r1", now: Fixtures.start + 10_000)
                try expectEqual(back.serial, 3, "returning to an older content is a new issue")
                let fresh = try store.storage.bundleIssue(for: "r1", policy: nil, now: back.issuedAt + 59_999, reissueAfter: 60_000)
                try expectEqual(fresh, back, "the same content, within its reissue time")
                let reissued = try store.storage.bundleIssue(for: "r1", policy: nil, now: back.issuedAt + 60_000, reissueAfter: 60_000)
                try expectEqual(reissued, BundleIssue(revision: "r1", serial: 3, issuedAt: back.issuedAt + 60_000),
                                "the same content issued again once its reissue time has passed: the same serial, fresh")
                try expectEqual(try store.storage.issuedBundles(revisions: ["r1"])["r1"]?.issuedAt, back.issuedAt,
                                "the history keeps when the content was first issued")
            }
        },
        Check("bundle history: each issued revision with the policy it carried and when the next replaced it") { backend in
            try backend.withStore { store in
                let storage = store.storage
                let cheap = try storage.addPolicyVersion(Fixtures.policy("cheap"), source: "{}", author: "ann", origin: "api", activate: true).version
                _ = try storage.bundleIssue(for: "r1", policy: cheap, now: Fixtures.start)
                _ = try storage.bundleIssue(for: "r1", policy: cheap, now: Fixtures.start + 1_000)
                _ = try storage.bundleIssue(for: "r2", policy: nil, now: Fixtures.start + 60_000)
                var history = try storage.issuedBundles(revisions: ["r1", "r2", "unknown"])
                try expectEqual(history["r1"], IssuedBundle(serial: 1, revision: "r1", issuedAt: Fixtures.start, policyRevision: cheap.revision,
                                                            policyName: "cheap", supersededAt: Fixtures.start + 60_000), "r1, replaced by r2")
                try expectEqual(history["r2"], IssuedBundle(serial: 2, revision: "r2", issuedAt: Fixtures.start + 60_000, policyRevision: nil,
                                                            policyName: nil, supersededAt: nil), "r2, the latest, without a policy")
                try expect(history["unknown"] == nil, "a revision never issued is not in the history")
                // As many revisions as routers care to report (more than a statement takes parameters).
                let reported = Set((0..<70_000).map { "made-up-\($0)" }).union(["r1"])
                try expectEqual(try storage.issuedBundles(revisions: reported).keys.sorted(), ["r1"], "70,000 revisions looked up")
                _ = try storage.bundleIssue(for: "r1", policy: cheap, now: Fixtures.start + 120_000)
                history = try storage.issuedBundles(revisions: ["r1"])
                try expectEqual(history["r1"]?.serial, 3, "the latest issue of a revision issued twice")
                try expectEqual(history["r1"]?.supersededAt, nil, "which nothing replaced yet")
            }
        },
    ]
}
