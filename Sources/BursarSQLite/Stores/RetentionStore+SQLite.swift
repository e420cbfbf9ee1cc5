import BursarCore
import BursarStorage
import Foundation
import GRDB

extension SQLiteDatabase {
    /// Deletes up to `limit` raw events older than `cutoff` (epoch ms) in one short
    /// transaction; the rollups keep their sums. Returns how many were deleted.
    public func deleteRawEvents(before cutoff: Int64, limit: Int) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? LIMIT ?)", arguments: [cutoff, limit])
            return db.changesCount
        }
    }

    /// Returns up to `pages` free pages to the file system; how many free pages remain.
    @discardableResult
    public func releaseFreePages(_ pages: Int) throws -> Int {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum(\(pages))")
            try Self.applySizeCap(maximumBytes, on: db)
            return try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        }
    }

    /// Pages in use and free pages, and the page size.
    public func pageCounts() throws -> (pages: Int, free: Int, pageSize: Int) {
        try read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
    }

    /// A consistent copy of the whole database at `path`, taken online with SQLite's backup
    /// API from one read snapshot (ingest goes on meanwhile).
    public func backup(to path: String, progress: (BackupProgress) -> Void) throws {
        try PrivateFile.restrict(path)
        let target = try DatabaseQueue(path: path)
        let pageSize = try read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096 }
        // 1,024 pages a step (4 MiB), all steps in one read snapshot.
        try withoutActuallyEscaping(progress) { progress in
            try writer.backup(to: target, pagesPerStep: 1_024) { step in
                progress(BackupProgress(done: step.completedPageCount * pageSize, total: step.totalPageCount * pageSize))
            }
        }
        try target.close()
    }
}
