import BursarStorage
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteDatabase {
    /// What the size cap leaves (free pages count: they are used again before the file grows)
    /// and what the file system holding the database and its log has free.
    public func room() throws -> StorageRoom {
        let (pages, free, pageSize) = try pageCounts()
        let used = Int64(pages - free) * Int64(pageSize)
        let underCap = maximumBytes.map { cap in
            max(0, (cap / Int64(pageSize) - Int64(pages) + Int64(free)) * Int64(pageSize))
        }
        return StorageRoom(usedBytes: used, capBytes: maximumBytes, underCapBytes: underCap,
                           fileSystemFreeBytes: path == ":memory:" ? nil : Self.freeBytes(onFileSystemOf: path))
    }

    /// Bytes an unprivileged process may still write on the file system holding `path`.
    static func freeBytes(onFileSystemOf path: String) -> Int64? {
        var status = statvfs()
        guard statvfs(path, &status) == 0 else { return nil }
        // Some file systems report counts whose product passes Int64: plenty of room, then.
        let (bytes, overflow) = Int64(clamping: status.f_bavail).multipliedReportingOverflow(by: Int64(clamping: status.f_frsize))
        return overflow ? .max : bytes
    }
}
